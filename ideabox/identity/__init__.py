"""Identity: who is a real, distinct, eligible person (verified e-mail, OpenID
providers, residency, assisted participation, held votes)."""
