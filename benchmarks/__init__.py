"""Speed and load measurements; run each file as a script (see its docstring)."""
