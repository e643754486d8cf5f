"""Accounts: sign-up, passwords, sessions and API tokens, roles."""
