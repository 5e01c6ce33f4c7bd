"""Challenges: the teacher opens and ends them, learners enter runs, everyone reads the
leaderboard.
"""
