"""Reviewers' score sheets (专家评分表): their layout, writing, sending and reading back."""
