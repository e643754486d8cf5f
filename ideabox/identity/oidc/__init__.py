"""Signing in through OpenID Connect providers (MitID through a broker, Entra ID for staff,
…), as ``IDEABOX_OIDC_PROVIDERS`` configures them: the authorization code flow with PKCE,
the ID token checked against the provider's keys, and the person matched to an account by
a keyed hash of their subject."""
