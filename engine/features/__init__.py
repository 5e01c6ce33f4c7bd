"""The Feature Engineering lab's engine: tables, transforms, selection, redundancy, scoring."""
