"""What learners study, read from content/: competencies, tracks and their steps. Below
classroom and labs, above nothing but settings.
"""
