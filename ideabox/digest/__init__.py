"""The weekly digest by e-mail, and following a purpose (whose new ideas it lists)."""
