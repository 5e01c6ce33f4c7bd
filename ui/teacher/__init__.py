"""The teacher's views: assigning work, the class roster, one learner, the progress matrix."""
