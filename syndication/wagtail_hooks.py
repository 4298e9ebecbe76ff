from wagtail_modeladmin.options import modeladmin_register

from community.partners.admin import PartnersAdminGroup

# The partner records' admin lives beside the partner code in community/partners/.
modeladmin_register(PartnersAdminGroup)
