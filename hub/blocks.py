"""StreamField blocks shared by every page type of the hub."""

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        help_text="Describe the image for people who cannot see it. Required.",
    )
    caption = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class CalloutBlock(blocks.StructBlock):
    STYLE_CHOICES = [("info", "Information"), ("important", "Important"), ("tip", "Tip")]
    style = blocks.ChoiceBlock(choices=STYLE_CHOICES, default="info")
    heading = blocks.CharBlock(required=False)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(help_text="Link to the video (for example on YouTube or Vimeo).")
    title = blocks.CharBlock(help_text="Short title read out by screen readers.")
    transcript = blocks.RichTextBlock(
        required=False, features=RICH_TEXT_FEATURES, help_text="Transcript or summary of the video."
    )

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"


class DocumentDownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    label = blocks.CharBlock(required=False, help_text="Link text; the document title by default.")

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"


class KeyTakeawaysBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default="Key takeaways")
    items = blocks.ListBlock(blocks.CharBlock(label="Takeaway"))

    class Meta:
        icon = "list-ul"
        template = "blocks/key_takeaways_block.html"


class ReferenceBlock(blocks.StructBlock):
    citation = blocks.TextBlock(help_text="The reference as it should be cited.")
    url = blocks.URLBlock(required=False)
    doi = blocks.CharBlock(required=False, help_text="For example 10.1176/appi.ps.201900123")


class ReferenceListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default="References")
    references = blocks.ListBlock(ReferenceBlock())

    class Meta:
        icon = "list-ol"
        template = "blocks/reference_list_block.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock()
    text = blocks.TextBlock(required=False)
    button_text = blocks.CharBlock()
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")

    class Meta:
        icon = "pick"
        template = "blocks/call_to_action_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    """The body blocks every page type offers."""

    heading = blocks.CharBlock(form_classname="title", icon="title", template="blocks/heading_block.html")
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow")
    image = ImageBlock()
    callout = CalloutBlock()
    quote = QuoteBlock()
    video = VideoBlock()
    document = DocumentDownloadBlock()
    key_takeaways = KeyTakeawaysBlock()
    references = ReferenceListBlock()
    call_to_action = CallToActionBlock()
