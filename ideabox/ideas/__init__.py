"""Ideas: posted for a purpose, edited, withdrawn, listed, searched."""
