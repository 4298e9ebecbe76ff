"""What happens when a page passes its last review step.

Wagtail publishes the approved page as the person who gave the final approval,
and refuses if that person may not publish. In this hub nobody but site
administrators publishes directly: reviewers approve steps, and passing every
step is what publishes. So the workflow publishes on the reviewers' behalf.
"""


def publish_approved(workflow_state, user=None):
    workflow_state.content_object.get_latest_revision().publish(user=user, skip_permission_checks=True)
