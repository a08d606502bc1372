"""The recorded meeting decision as a page: the `meeting-decision` artifact.

`decision_markdown` renders a recorded decision (pure); `publish_decision` shows it as the
`meeting-decision` markdown artifact (inside a run; called by tasks/meeting/record.py).
"""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact

from tasks.meeting.pack_files import md, table
from tasks.meeting.recorded import RecordedDecision

DECISION_ARTIFACT_KEY = "meeting-decision"


def decision_markdown(decision: RecordedDecision) -> str:
    """Return a recorded decision as a markdown page (the `meeting-decision` artifact). Pure."""
    removed = [[uscc, reason] for uscc, reason in decision.removed.items()]
    added = [[uscc, reason] for uscc, reason in decision.added.items()]
    overridden = [
        [uscc, ", ".join(o.get("flags", [])), o.get("reason", "")]
        for uscc, o in decision.overrides.items()
    ]
    return "\n".join(
        [
            f"# 会议审定结果 Meeting decision {decision.campaign_year} v{decision.version}",
            "",
            f"Meeting of {decision.meeting_date}, entered by {md(decision.decided_by)} via "
            f"{decision.source}. **{len(decision.release_list)}** units release; "
            f"**{decision.commendations_approved}** commendations approved, "
            f"{decision.commendations_removed} removed.",
            "",
            "## 增列 Added by the meeting",
            "",
            table(["USCC", "reason"], added, None),
            "## 未发布 Not released (removed, with the reason)",
            "",
            table(["USCC", "reason"], removed, None),
            "## 明确放行的标记 Flags the meeting overrode",
            "",
            table(["USCC", "flags", "reason"], overridden, None),
            "## 发布名单 Release list",
            "",
            table(["USCC"], [[u] for u in decision.release_list], None),
            f"Notes: {md(decision.notes) or '(none)'}",
            "",
            f"Decided on the pack `{decision.pack_fingerprint[:12] or '(unknown)'}`.",
        ]
    )


def publish_decision(decision: RecordedDecision) -> None:
    """Publish a recorded decision as the markdown artifact `meeting-decision` (inside a run)."""
    create_markdown_artifact(
        key=DECISION_ARTIFACT_KEY,
        markdown=decision_markdown(decision),
        description=f"Meeting decision {decision.campaign_year}",
    )
