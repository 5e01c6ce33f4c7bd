"""Teams: forming them, sharing runs and pipelines, forking a teammate's run."""
