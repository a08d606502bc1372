"""Reviewer assignment (评审专家分配): who may review what, and the search for the best plan."""
