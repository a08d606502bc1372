"""The assignment search on plain indices: place, fill, balance, improve.

`Board` holds one assignment of reviewers (0..m-1) to reports (0..n-1) with the loads, and the four
passes `tasks.review.assignment.plan.assign_reviewers` runs in order (see its module docstring for
the rules and why each pass keeps what the earlier ones won). Everything here is indices, lists and
sets built by the caller from sorted inputs, so the same inputs always take the same path. No I/O,
no names, no explanations (tasks/review/assignment/explain.py words the outcome).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tasks.review.assignment.match import INDUSTRY


def _descending(scores: dict[int, int]) -> Callable[[int], int]:
    """Return a sort key that puts reviewers with higher scores first."""
    return lambda r: -scores.get(r, 0)


@dataclass
class Board:
    """One assignment under construction, with the facts the passes need about each pair."""

    eligible: list[list[int]]  # per report: reviewers without a conflict, ascending
    scores: list[dict[int, int]]  # per report: reviewer -> expertise score (absent = 0)
    caps: list[int]  # per reviewer: max_load
    rank: list[int]  # per reviewer: the seeded tie-break (lower wins)
    order: list[int]  # reports in the order the greedy serves them
    k: int
    assigned: list[set[int]] = field(init=False)
    pinned: list[set[int]] = field(init=False)
    held: list[set[int]] = field(init=False)
    load: list[int] = field(init=False)
    _choices: list[list[int]] = field(init=False)
    _eligible_sets: list[frozenset[int]] = field(init=False)
    _experts_for: list[set[int]] = field(init=False)  # per reviewer: reports in their industry
    _open: list[list[int]] = field(init=False)

    def __post_init__(self) -> None:
        n, m = len(self.eligible), len(self.caps)
        self.assigned = [set() for _ in range(n)]
        self.pinned = [set() for _ in range(n)]
        self.held = [set() for _ in range(m)]
        self.load = [0] * m
        self._eligible_sets = [frozenset(e) for e in self.eligible]
        self._experts_for = [set() for _ in range(m)]
        for p, scores in enumerate(self.scores):
            for r, value in scores.items():
                if value >= INDUSTRY:
                    self._experts_for[r].add(p)
        by_rank = sorted(range(m), key=self.rank.__getitem__)
        self._choices = []
        for e, s in zip(self._eligible_sets, self.scores, strict=True):
            in_rank = [r for r in by_rank if r in e]
            self._choices.append(sorted(in_rank, key=_descending(s)))
        self._open = []

    def wanted(self, p: int) -> int:
        """Return how many reviewers report `p` should get: k, or all it may have if fewer."""
        return min(self.k, len(self.eligible[p]))

    def score(self, p: int, r: int) -> int:
        """Return the expertise score of reviewer `r` for report `p`."""
        return self.scores[p].get(r, 0)

    def add(self, p: int, r: int) -> None:
        """Assign reviewer `r` to report `p`."""
        self.assigned[p].add(r)
        self.held[r].add(p)
        self.load[r] += 1

    def remove(self, p: int, r: int) -> None:
        """Take reviewer `r` off report `p`."""
        self.assigned[p].discard(r)
        self.held[r].discard(p)
        self.load[r] -= 1

    def move(self, p: int, giver: int, taker: int) -> None:
        """Hand report `p` from reviewer `giver` to reviewer `taker`."""
        self.remove(p, giver)
        self.add(p, taker)

    def movable(self, p: int, giver: int, taker: int) -> bool:
        """Return whether `giver` may hand report `p` to `taker` (not pinned, no conflict)."""
        return (
            giver in self.assigned[p]
            and giver not in self.pinned[p]
            and taker not in self.assigned[p]
            and taker in self._eligible_sets[p]
        )

    def pin(self, p: int, r: int) -> None:
        """Assign a required pair; later passes never move it."""
        self.add(p, r)
        self.pinned[p].add(r)

    # -- pass 1: greedy -------------------------------------------------------------------------

    def level(self) -> int:
        """Return the lowest per-reviewer load that could carry every report's wanted reviewers."""
        demand = sum(self.wanted(p) for p in range(len(self.eligible)))
        if sum(self.caps) <= demand:
            return max(self.caps, default=0)
        low, high = 0, max(self.caps)
        while low < high:
            mid = (low + high) // 2
            if sum(min(c, mid) for c in self.caps) >= demand:
                high = mid
            else:
                low = mid + 1
        return low

    def greedy(self) -> None:
        """Give every report its reviewers one round at a time, best match under the level first.

        Round j gives each report (fewest eligible reviewers first) its j-th reviewer: the best
        expertise score among reviewers below the balanced level, least loaded within a score,
        then the seeded order; when all are at the level, the least loaded one under max_load.
        """
        level = self.level()
        soft = [min(c, level) for c in self.caps]
        for round_ in range(1, self.k + 1):
            for p in self.order:
                if len(self.assigned[p]) >= min(round_, self.wanted(p)):
                    continue
                r = self._best_under(p, soft)
                if r < 0:
                    r = self._least_loaded(p)
                if r >= 0:
                    self.add(p, r)

    def _best_under(self, p: int, limit: list[int]) -> int:
        """Return the best-scored free reviewer for `p` below `limit`, least loaded; -1 if none."""
        best, best_score = -1, -1
        have, load, scores = self.assigned[p], self.load, self.scores[p]
        for r in self._choices[p]:
            if load[r] >= limit[r] or r in have:
                continue
            s = scores.get(r, 0)
            if best >= 0 and s < best_score:
                break
            if best < 0 or load[r] < load[best]:
                best, best_score = r, s
        return best

    def _least_loaded(self, p: int) -> int:
        """Return the least loaded free reviewer for `p` below max_load; -1 if none."""
        free = [r for r in self._choices[p] if self.load[r] < self.caps[r]]
        free = [r for r in free if r not in self.assigned[p]]
        return min(free, key=lambda r: self.load[r], default=-1)

    # -- pass 2: fill by augmenting paths -------------------------------------------------------

    def fill(self) -> None:
        """Add reviewers to short reports through chains of hand-overs until none is possible.

        A chain gives report p a reviewer at max_load who hands one of their reports to another
        eligible reviewer, and so on, until one with room takes the last report. When no chain
        exists the assignment carries the most pairs any assignment can (max-flow), so what is
        still short is short of reviewers, not of search. Reviewers from which no chain reaches
        room stay that way (the residual reach only shrinks), so they are searched once.
        """
        dead: set[int] = set()
        for p in self.order:
            while len(self.assigned[p]) < self.wanted(p) and self._augment(p, dead):
                pass

    def _augment(self, p: int, dead: set[int]) -> bool:
        """Give `p` one more reviewer along the shortest chain of hand-overs; False if none."""
        parent: dict[int, tuple[int, int]] = {}  # reviewer -> (report it takes, who gives it)
        queue: deque[int] = deque()
        for r in self._choices[p]:
            if r in self.assigned[p] or r in dead:
                continue
            parent[r] = (p, -1)
            if self.load[r] < self.caps[r]:
                return self._shift(r, parent)
            queue.append(r)
        while queue:
            giver = queue.popleft()
            for q in sorted(self.held[giver]):
                if giver in self.pinned[q]:
                    continue
                for r in self._choices[q]:
                    if r in parent or r in dead or r in self.assigned[q]:
                        continue
                    parent[r] = (q, giver)
                    if self.load[r] < self.caps[r]:
                        return self._shift(r, parent)
                    queue.append(r)
        dead.update(parent)
        return False

    def _shift(self, end: int, parent: dict[int, tuple[int, int]]) -> bool:
        """Apply the chain found by `_augment` that ends at reviewer `end` (who has room)."""
        taker = end
        while True:
            q, giver = parent[taker]
            if giver < 0:
                self.add(q, taker)
                return True
            self.move(q, giver, taker)
            taker = giver

    # -- pass 3: balance ------------------------------------------------------------------------

    def balance(self) -> None:
        """Move pairs from heavier to lighter reviewers until no move or chain evens loads out.

        Stops when no reviewer can pass a report, directly or along a chain of eligible
        hand-overs, to one at least two lighter with room: the loads are then as even as any
        valid assignment with these pairs allows (no cost-reducing path; Harvey et al., 2006).
        Direct moves take the pair whose expertise suffers least.
        """
        self._open = [[] for _ in self.caps]
        for p, reviewers in enumerate(self.eligible):
            for r in reviewers:
                self._open[r].append(p)
        while True:
            top = max(self.load, default=0)
            lighter = sorted(
                (r for r in range(len(self.caps)) if self.load[r] < self.caps[r]),
                key=lambda r: (self.load[r], self.rank[r]),
            )
            lighter = [r for r in lighter if self.load[r] + 2 <= top]
            if not lighter:
                return
            moved = False
            for taker in lighter:
                moved = self._pull(taker) or moved
            if not moved and not self._chain(lighter):
                return

    def _pull(self, taker: int) -> bool:
        """Move reports to `taker` from reviewers 2+ heavier, least expertise lost first."""
        offers = []
        for q in self._open[taker]:
            if taker in self.assigned[q]:
                continue
            for giver in self.assigned[q]:
                if self.load[giver] >= self.load[taker] + 2 and giver not in self.pinned[q]:
                    loss = self.score(q, giver) - self.score(q, taker)
                    offers.append((loss, -self.load[giver], self.rank[giver], q, giver))
        moved = False
        for *_, q, giver in sorted(offers):
            if self.load[taker] >= self.caps[taker]:
                break
            if self.load[giver] >= self.load[taker] + 2 and self.movable(q, giver, taker):
                self.move(q, giver, taker)
                moved = True
        return moved

    def _chain(self, lighter: list[int]) -> bool:
        """Even out one pair of loads along a chain of hand-overs ending at a lighter reviewer."""
        closed: set[int] = set()  # searched without success; their reach is no heavier
        for end in lighter:
            if end in closed:
                continue
            parent: dict[int, tuple[int, int]] = {end: (-1, -1)}  # giver -> (report, taker)
            queue: deque[int] = deque([end])
            while queue:
                taker = queue.popleft()
                for q in self._open[taker]:
                    if taker in self.assigned[q]:
                        continue
                    for giver in sorted(self.assigned[q] - self.pinned[q]):
                        if giver in parent or giver in closed:
                            continue
                        parent[giver] = (q, taker)
                        if self.load[giver] >= self.load[end] + 2:
                            while giver != end:
                                q, taker = parent[giver]
                                self.move(q, giver, taker)
                                giver = taker
                            return True
                        queue.append(giver)
            closed.update(parent)
        return False

    # -- pass 4: improve expertise at the same loads --------------------------------------------

    def improve(self) -> None:
        """Raise expertise without changing the spread of loads, until nothing improves.

        Two steps keep every load multiset as it is: a move of a pair to a better-matched
        reviewer exactly one lighter (the two swap loads), and a swap of two pairs (p, a), (q, b)
        into (p, b), (q, a). Moves are tried for any better score; swaps wherever they raise the
        number of industry matches. The pass repeats until a full sweep changes nothing.
        """
        changed = True
        while changed:
            changed = False
            for p in range(len(self.eligible)):
                for a in sorted(self.assigned[p] - self.pinned[p]):
                    if a in self.assigned[p] and self._better(p, a):
                        changed = True

    def _better(self, p: int, a: int) -> bool:
        """Replace `a` on `p` by a better-matched reviewer at the same loads; False if none."""
        mine = self.score(p, a)
        for b in self._choices[p]:
            theirs = self.score(p, b)
            if theirs <= mine:
                return False
            if b in self.assigned[p]:
                continue
            if self.load[b] + 1 == self.load[a] and self.load[b] < self.caps[b]:
                self.move(p, a, b)
                return True
            if theirs >= INDUSTRY > mine and self._swap(p, a, b):
                return True
        return False

    def _swap(self, p: int, a: int, b: int) -> bool:
        """Swap (p, a), (q, b) into (p, b), (q, a) for the q that gains most; False if none."""
        best, best_gain = -1, 0
        base = self.score(p, b) - self.score(p, a)
        # b gains an industry match on p; the swap raises the count unless b matches q and a does
        # not, so only b's reports outside b's industries or inside a's can help.
        held = self.held[b]
        for q in sorted((held - self._experts_for[b]) | (held & self._experts_for[a])):
            if q == p or not self.movable(q, b, a):
                continue
            gain = base + self.score(q, a) - self.score(q, b)
            if gain > best_gain:
                best, best_gain = q, gain
        if best < 0:
            return False
        self.move(p, a, b)
        self.move(best, b, a)
        return True
