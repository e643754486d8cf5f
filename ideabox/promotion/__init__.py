"""The monthly promotion: each month's top open ideas of a purpose go to the administration."""
