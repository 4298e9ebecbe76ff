"""Default vocabularies for a mental-health CoP; editors extend them as snippets."""

from django.db import migrations

TOPICS = [
    (
        "Suicide prevention",
        "suicide-prevention",
        "Screening, safety planning, means safety and follow-up care that prevent suicide.",
    ),
    (
        "Crisis services and 988",
        "crisis-services",
        "The 988 Lifeline, mobile crisis teams, crisis stabilisation and alternatives to police response.",
    ),
    (
        "Trauma-informed care",
        "trauma-informed-care",
        "Organising services around safety, trust and choice for people who have lived through trauma.",
    ),
    (
        "Peer support",
        "peer-support",
        "Services delivered by people with lived experience of mental illness or substance use.",
    ),
    (
        "Co-occurring disorders",
        "co-occurring-disorders",
        "Care for people living with both a mental health condition and a substance use disorder.",
    ),
    (
        "Integrated care",
        "integrated-care",
        "Bringing mental health, substance use and primary care together for the same person.",
    ),
    (
        "CCBHC",
        "ccbhc",
        "Certified Community Behavioral Health Clinics: the model, its standards and its payment.",
    ),
    (
        "Health equity",
        "health-equity",
        "Closing gaps in access, quality and outcomes between groups of people.",
    ),
    (
        "Language access",
        "language-access",
        "Interpreting, translation and services for people with limited English proficiency.",
    ),
    (
        "Rural mental health",
        "rural-mental-health",
        "Reaching people in rural and frontier areas, including by telehealth.",
    ),
    (
        "Workforce",
        "workforce",
        "Recruiting, training, supporting and keeping the behavioural health workforce.",
    ),
    (
        "Serious mental illness",
        "serious-mental-illness",
        "Care and recovery for people living with schizophrenia, bipolar disorder and other serious mental illness.",
    ),
    (
        "School-based mental health",
        "school-based-mental-health",
        "Mental health support delivered in and with schools.",
    ),
    (
        "Substance use disorders",
        "substance-use-disorders",
        "Prevention, treatment and recovery for alcohol and drug use disorders.",
    ),
    (
        "Opioid use disorder",
        "opioid-use-disorder",
        "Medications for opioid use disorder, overdose prevention and recovery support.",
    ),
    ("Telehealth", "telehealth", "Delivering care by video and phone."),
    (
        "Cultural responsiveness",
        "cultural-responsiveness",
        "Services that respect and respond to people's cultures, languages and beliefs.",
    ),
    (
        "Community engagement",
        "community-engagement",
        "Working with communities as partners in planning and delivering care.",
    ),
    (
        "Access to care",
        "access-to-care",
        "Getting timely, affordable care: wait times, coverage, transport and outreach.",
    ),
    ("Early psychosis", "early-psychosis", "Coordinated specialty care for first-episode psychosis."),
    ("Measurement and quality", "quality-measurement", "Measuring outcomes and using data to improve care."),
    ("Housing", "housing", "Housing and homelessness services as part of mental health care."),
    (
        "Justice involvement",
        "justice-involvement",
        "Diversion, reentry and care for people in contact with the justice system.",
    ),
    (
        "Youth mental health",
        "youth-mental-health",
        "Mental health of children, adolescents and young adults.",
    ),
]

POPULATIONS = [
    ("Youth", "youth", "Children and adolescents."),
    ("Young adults", "young-adults", "People aged roughly 18 to 25."),
    ("Older adults", "older-adults", "People aged 65 and older."),
    (
        "Black/African American",
        "black-african-american",
        "Black and African American people and communities.",
    ),
    ("Hispanic/Latino", "hispanic-latino", "Hispanic and Latino people and communities."),
    (
        "American Indian/Alaska Native",
        "american-indian-alaska-native",
        "American Indian and Alaska Native people, tribes and communities.",
    ),
    (
        "Asian American and Pacific Islander",
        "asian-american-pacific-islander",
        "Asian American, Native Hawaiian and Pacific Islander people.",
    ),
    (
        "LGBTQ+",
        "lgbtq",
        "Lesbian, gay, bisexual, transgender, queer and other sexual and gender minority people.",
    ),
    ("Rural communities", "rural-communities", "People living in rural and frontier areas."),
    ("Veterans", "veterans", "Veterans, service members and their families."),
    (
        "People experiencing homelessness",
        "people-experiencing-homelessness",
        "People without stable housing.",
    ),
    (
        "Justice-involved people",
        "justice-involved-people",
        "People in contact with police, courts, jails or prisons.",
    ),
    (
        "People with limited English proficiency",
        "limited-english-proficiency",
        "People who need language assistance to use services.",
    ),
    ("Immigrants and refugees", "immigrants-refugees", "Immigrants, refugees and asylum seekers."),
    ("Families", "families", "Parents, caregivers and families."),
    (
        "People with serious mental illness",
        "people-with-serious-mental-illness",
        "Adults living with serious mental illness.",
    ),
]

RESOURCE_TYPES = [
    (
        "Toolkit",
        "toolkit",
        "Practical tools, templates and steps for putting something into practice.",
        "HowTo",
    ),
    ("Guide", "guide", "Guidance on how to plan, deliver or improve a service.", "Book"),
    (
        "Issue brief",
        "issue-brief",
        "A short paper that explains one issue and what to do about it.",
        "Report",
    ),
    (
        "Evidence review",
        "evidence-review",
        "A systematic or structured review of the research on a question.",
        "ScholarlyArticle",
    ),
    ("Fact sheet", "fact-sheet", "One or two pages of key facts.", "CreativeWork"),
    ("Report", "report", "A longer study, evaluation or policy report.", "Report"),
    ("Training", "training", "A course or curriculum for building skills.", "Course"),
    (
        "Webinar materials",
        "webinar-materials",
        "Slides, recordings and handouts from a webinar.",
        "PresentationDigitalDocument",
    ),
]

EVIDENCE_LEVELS = [
    (
        "Strong",
        "strong",
        1,
        True,
        "Supported by several well-designed studies, such as randomised trials or systematic reviews, with consistent results.",
    ),
    (
        "Moderate",
        "moderate",
        2,
        True,
        "Supported by at least one well-designed study or several smaller studies with mostly consistent results.",
    ),
    (
        "Emerging",
        "emerging",
        3,
        True,
        "Promising early results from pilots, evaluations or observational studies; more research is needed.",
    ),
    (
        "Expert consensus",
        "expert-consensus",
        4,
        True,
        "Based on the agreed judgement of experts, practitioners and people with lived experience rather than on trials.",
    ),
    ("Not rated", "not-rated", 9, False, "The evidence behind this resource has not been rated yet."),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("hub", "Topic")
    Population = apps.get_model("hub", "Population")
    ResourceType = apps.get_model("hub", "ResourceType")
    EvidenceLevel = apps.get_model("hub", "EvidenceLevel")
    for name, slug, description in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for name, slug, description in POPULATIONS:
        Population.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for name, slug, description, schema_type in RESOURCE_TYPES:
        ResourceType.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "schema_type": schema_type}
        )
    for name, slug, rank, is_rated, description in EVIDENCE_LEVELS:
        EvidenceLevel.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "rank": rank, "is_rated": is_rated},
        )


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
