"""Synonyms drawn from the field's glossaries (SAMHSA, NIMH and CMHC practice):
abbreviations with their spelled-out forms, legacy and plain-language terms
beside clinical ones, variants of population names, and Spanish terms for the
core topics. Editors extend the list under Snippets."""

from django.db import migrations

SYNONYMS = [
    # Abbreviations and their spelled-out forms
    "MOUD, MAT, medications for opioid use disorder, medication assisted treatment, buprenorphine, methadone",
    "OUD, opioid use disorder, opioid addiction",
    "SUD, substance use disorder, substance use, substance abuse, addiction",
    "AUD, alcohol use disorder, alcoholism",
    "SMI, serious mental illness, severe mental illness, severe and persistent mental illness",
    "SED, serious emotional disturbance",
    "CCBHC, certified community behavioral health clinic, certified community behavioral health clinics",
    "CMHC, community mental health center, community mental health centre",
    "FEP, first episode psychosis, first-episode psychosis, early psychosis",
    "CSC, coordinated specialty care",
    "TIC, trauma-informed care, trauma informed care, trauma-informed",
    "PTSD, post-traumatic stress disorder, posttraumatic stress, post-traumatic stress",
    "ACEs, adverse childhood experiences",
    "LEP, limited english proficiency, limited english proficient",
    "ACT, assertive community treatment",
    "IPS, individual placement and support, supported employment",
    "CHW, community health worker, community health workers, promotora, promotoras",
    "SDOH, social determinants of health",
    "CIT, crisis intervention team, crisis intervention teams",
    "988, 988 lifeline, suicide and crisis lifeline, crisis line, crisis hotline",
    "MBC, measurement-based care, measurement based care",
    "VBP, value-based payment, value based payment, value-based purchasing",
    "EBP, evidence-based practice, evidence-based practices, evidence based practice",
    "CBT, cognitive behavioral therapy, cognitive behavioural therapy",
    "DBT, dialectical behavior therapy",
    "MI, motivational interviewing",
    "SBIRT, screening brief intervention and referral to treatment",
    "TBI, traumatic brain injury",
    "AI/AN, american indian, alaska native, native american, tribal",
    "AAPI, asian american, pacific islander",
    "LGBTQ, LGBTQ+, LGBT, lesbian gay bisexual transgender queer, sexual and gender minority",
    "BIPOC, people of color, communities of color, racial and ethnic minorities",
    "HIPAA, health insurance portability and accountability act",
    "FQHC, federally qualified health center",
    "ED, emergency department, emergency room, ER",
    "PCP, primary care provider, primary care",
    "EHR, electronic health record, electronic health records",
    "QI, quality improvement",
    "TA, technical assistance",
    "TTC, technology transfer center",
    "NAMI, national alliance on mental illness",
    "SAMHSA, substance abuse and mental health services administration",
    "ASAM, american society of addiction medicine",
    "MHFA, mental health first aid",
    "PFA, psychological first aid",
    "CRSS, certified recovery support specialist, peer recovery specialist",
    "CPS, certified peer specialist, peer specialist, peer support specialist",
    "IOP, intensive outpatient program",
    "PHP, partial hospitalization program",
    "MCT, mobile crisis team, mobile crisis",
    # Legacy and plain-language terms beside clinical ones
    "dual diagnosis, co-occurring disorders, co-occurring, comorbid mental illness and substance use",
    "mental retardation, intellectual disability",
    "drug abuse, substance misuse, substance use",
    "suicide, suicidal, suicide prevention, self-harm",
    "depression, depressive disorder, major depressive disorder",
    "anxiety, anxiety disorder",
    "schizophrenia, psychosis, psychotic disorder",
    "bipolar, bipolar disorder, manic depression",
    "burnout, compassion fatigue, secondary traumatic stress, staff wellbeing, workforce wellbeing",
    "staff shortage, workforce shortage, workforce",
    "jail, prison, incarceration, justice-involved, criminal justice, justice involvement",
    "police, law enforcement",
    "homeless, homelessness, unhoused, people experiencing homelessness",
    "reentry, re-entry, release from jail, release from prison",
    "telehealth, tele-health, telemedicine, telepsychiatry, virtual care",
    "interpreter, interpreting, interpretation, language access, translation",
    "stigma, discrimination, prejudice",
    "wraparound, care coordination, case management",
    "integrated care, integration of primary care and behavioral health, collaborative care",
    "screening, screening tool, assessment",
    "pregnant, pregnancy, perinatal, postpartum, maternal",
    # Population name variants
    "teens, teenagers, adolescents, youth, young people",
    "kids, children, child",
    "young adults, transition age youth, emerging adults",
    "older adults, seniors, elderly, aging adults",
    "veterans, service members, military",
    "latino, latina, latinx, hispanic",
    "black, african american",
    "rural, rural communities, frontier, rural areas",
    "immigrants, refugees, migrants, asylum seekers",
    "deaf, hard of hearing, deaf and hard of hearing",
    "families, caregivers, parents",
    "college students, campus, university students",
    # Spanish terms for the core topics
    "salud mental, mental health",
    "prevención del suicidio, suicide prevention, suicidio",
    "familias, families, familia",
    "latinas, latinos, latino, hispanic",
    "jóvenes, youth, adolescentes, adolescents",
    "adicción, addiction, uso de sustancias, substance use",
    "crisis, crisis services, servicios de crisis",
    "trauma, trauma-informed care, atención informada sobre el trauma",
    "acceso a la atención, access to care",
    "intérprete, interpreter, idioma, language access",
    "español, spanish, bilingual, bilingüe",
    "equidad en salud, health equity",
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for terms in SYNONYMS:
        Synonym.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_synonyms")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
