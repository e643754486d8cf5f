"""One leader among every worker of every instance, for the background work one can do
for all (``ideabox.election.elector``)."""
