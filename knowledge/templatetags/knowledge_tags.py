from django import template

from knowledge.models.workflow import evidence_gaps

register = template.Library()


@register.filter
def review_gaps(task_state):
    """What the resource under review still lacks, for the evidence review form."""
    resource = task_state.revision.as_object()
    return {"resource": resource, "gaps": evidence_gaps(resource)}
