"""The meeting (审定会议): the meeting pack, the decision form, and recording the decision."""
