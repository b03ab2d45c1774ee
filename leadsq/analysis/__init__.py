"""The frame layer: provenance, the ``df.lsq`` accessor, local regroup, words and plots."""
