"""Purposes: what ideas are sought for, who may take part, and how many go forward."""
