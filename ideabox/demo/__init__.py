"""``ideabox seed --demo``: a living demo of a fictional municipality, Havnestad Kommune.

The content (purposes, ideas, comments, the administration's answers) is written by
hand, in Danish, in the ``content_*`` and ``ideas_*`` modules; ``plan`` decides, from a
seed, who posts, votes, comments and follows, and when; ``seed`` carries the plan out
through the real service functions, in one transaction, and rebuilds the vote cache.
"""
