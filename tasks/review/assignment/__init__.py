"""Reviewer assignment (评审专家分配): who may review what; a min-cost flow decides who does."""
