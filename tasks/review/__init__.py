"""The review stage (专家评审): roster, assignment, score sheets, scores, decisions, letters,
re-check and the performance evaluation."""
