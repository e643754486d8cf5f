"""The staff overview ("Overblik"): figures per month, counted into a rollup."""
