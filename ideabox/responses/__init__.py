"""The administration's public responses to promoted ideas, and every idea's status history."""
