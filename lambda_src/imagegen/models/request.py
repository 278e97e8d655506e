"""The request of POST /images (text-to-image, and image-to-image on Ultra and SD3.5 Large), the
field types every operation's request shares, and what makes a request an operation: the Bedrock
model it calls and the body it sends. One schema per operation, the same for the API, jobs, S3
drops and EventBridge events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from imagegen.models.catalog import MAX_SEED, MODELS, ModelSpec
from imagegen.models.image_formats import ImageInfo
from imagegen.models.image_inputs import (
    API_SOURCES,
    ImageInput,
    InputContext,
    InputSource,
    check_source,
    image_input_problem,
)

PROMPT_MAX_CHARS = 10_000
# A text-only request; one that carries an inline image may be up to MAX_IMAGE_REQUEST_BYTES.
MAX_REQUEST_BYTES = 64 * 1024
# Lambda takes an invocation event of at most 6 MB (6,291,456 bytes), the event's headers and
# request context included: a body of 6,000,000 bytes leaves room for them.
MAX_IMAGE_REQUEST_BYTES = 6_000_000
MAX_COUNT = 4
IMAGE_TO_IMAGE_MODELS = ("ultra", "sd3.5-large")

AspectRatio = Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"]
ModelAlias = Literal["core", "ultra", "sd3.5-large"]
SD35_LARGE = "sd3.5-large"


def integral(value: object) -> object:
    """5.0 is the integer 5: JSON does not tell them apart (JSON Schema's integer, since draft 6,
    is any number without a fraction). Booleans, strings and 5.5 stay what they are: refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer, whether written 5 or 5.0; never a boolean, a string or a fraction.
Integer = Annotated[int, BeforeValidator(integral)]


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


def _output_format_schema(*formats: str) -> WithJsonSchema:
    # Case-insensitive, so the schema says it with a pattern rather than an enum.
    return WithJsonSchema(
        {
            "type": "string",
            "pattern": "^(" + "|".join(_any_case(f) for f in formats) + ")$",
            "description": f"{', '.join(formats[:-1])} or {formats[-1]}, any case",
        }
    )


OutputFormat = Annotated[Literal["png", "jpeg"], BeforeValidator(_lower), _output_format_schema("png", "jpeg")]
WebOutputFormat = Annotated[
    Literal["png", "jpeg", "webp"], BeforeValidator(_lower), _output_format_schema("png", "jpeg", "webp")
]
# Constraints before the validator, so that the JSON schema states them too.
Seed = Annotated[
    int,
    Field(ge=0, le=MAX_SEED, description="0 or absent: random. The seed used is returned."),
    BeforeValidator(integral),
]
Strength = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
# The prompt's length counts after trimming, which a JSON Schema maxLength (raw length) cannot say: the
# schema states the rule in words instead, so no schema-driven validator rejects a valid prompt.
# A character that trimming keeps: anything but the Unicode White_Space characters pydantic's
# trimming removes (a regex's \s differs in a few code points), so schema and model agree.
_KEPT_BY_TRIMMING = r"[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
Prompt = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=PROMPT_MAX_CHARS),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "pattern": _KEPT_BY_TRIMMING,
            "description": "1 to 10,000 characters after trimming (at least one that is not whitespace)",
        }
    ),
]
# The negative prompt's limit counts every character sent; it is trimmed afterwards.
NegativePrompt = Annotated[str, StringConstraints(max_length=PROMPT_MAX_CHARS), AfterValidator(str.strip)]


class RequestContext(InputContext, total=False):
    """What a request is validated against: the models the deployment enables, and where its
    images may come from."""

    enabled_models: tuple[str, ...]


def enabled_models(context: object) -> tuple[str, ...]:
    """The models a validation context enables; without one (a schema, a test), every model."""
    if isinstance(context, dict) and context.get("enabled_models"):
        return tuple(context["enabled_models"])
    return tuple(MODELS)


def field_error(field: str, message: str) -> PydanticCustomError:
    # Cross-field rules are checked on the whole model, which pydantic locates at the
    # root; ctx["field"] says which field the error is about.
    return PydanticCustomError("value_error", message, {"field": field})


class TextPrompt(BaseModel):
    """One weighted prompt of the seed's `text_prompts` form."""

    model_config = ConfigDict(strict=True, extra="forbid")

    text: Prompt
    weight: float = Field(
        default=1.0,
        allow_inf_nan=False,
        description="> 0: prompt; < 0: negative prompt; not 0",
        json_schema_extra={"not": {"enum": [0]}},
    )

    @field_validator("weight")
    @classmethod
    def _non_zero(cls, weight: float) -> float:
        if weight == 0:
            raise ValueError("weight must be positive (prompt) or negative (negative prompt), not 0")
        return weight


# At least one positive entry, said as draft 4 (API Gateway's models) can: not all of them negative.
TextPrompts = Annotated[
    list[TextPrompt],
    Field(
        min_length=1,
        max_length=16,
        json_schema_extra={"not": {"items": {"required": ["weight"], "properties": {"weight": {"maximum": 0}}}}},
    ),
]


class OperationRequest(BaseModel):
    """What every operation's request is: strict (no type coercion, no unknown fields), with the
    image inputs it names and the Bedrock body it sends. Subclasses declare their fields."""

    model_config = ConfigDict(strict=True, extra="forbid")

    # The image input fields the class declares, in the order they are checked.
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ()
    # Whether the model takes a seed (fast upscale and background removal do not).
    TAKES_SEED: ClassVar[bool] = True

    output_format: str

    @model_validator(mode="before")
    @classmethod
    def _image_shapes(cls, document: Any) -> Any:
        """Names what is wrong with an image input in the caller's terms (the field, or its
        upload_id or s3_key), rather than as the three ways of giving an image each refusing it."""
        if isinstance(document, dict):
            for name in cls.IMAGE_FIELDS:
                if name in document and document[name] is not None:
                    problem = image_input_problem(document[name])
                    if problem is not None:
                        field, message = problem
                        raise field_error(f"{name}.{field}" if field else name, message)
        return document

    @property
    def model_spec(self) -> ModelSpec:
        raise NotImplementedError

    @property
    def image_count(self) -> int:
        """How many images the request asks for (one call each)."""
        return int(getattr(self, "count", 1))

    @property
    def requested_seed(self) -> int:
        return int(getattr(self, "seed", 0) or 0)

    def images(self) -> dict[str, ImageInput]:
        """The image inputs given, by field name."""
        return {name: value for name in self.IMAGE_FIELDS if (value := getattr(self, name, None)) is not None}

    def seeds(self, base: int) -> list[int]:
        """Seeds of the `count` images from a non-zero base, wrapping past the model's maximum."""
        top = self.model_spec.max_seed
        return [(base - 1 + i) % top + 1 for i in range(self.image_count)]

    def bedrock_body(self, *, seed: int, images: Mapping[str, str]) -> dict[str, Any]:
        """The InvokeModel body: only the fields the model documents (Bedrock rejects extraneous
        keys), the images as base64."""
        raise NotImplementedError

    def check_inputs(self, images: Mapping[str, ImageInfo]) -> None:
        """Rules between the request's images (or its fields and its images), once each image has
        passed its own limits: a ValidationFailed naming the field. None by default."""

    def to_document(self) -> dict[str, Any]:
        """The request as JSON that parses back to it (a job keeps its request so)."""
        return self.model_dump(mode="json", exclude_none=True)

    def _check_sources(self, info: ValidationInfo) -> None:
        for name, value in self.images().items():
            try:
                check_source(name, value, info)
            except ValueError as exc:
                raise field_error(name, str(exc)) from None

    @classmethod
    def parse(
        cls,
        document: object,
        *,
        enabled: Sequence[str],
        sources: frozenset[InputSource] = API_SOURCES,
    ) -> OperationRequest:
        """The request `document` asks for, where the models `enabled` (the first by default) may
        be used and images come from `sources`; a pydantic ValidationError otherwise."""
        context = RequestContext(enabled_models=tuple(enabled), input_sources=sources)
        return cls.model_validate(document, context=context)


def copy_given_fields(body: dict[str, Any], request: BaseModel, *names: str) -> None:
    """Copies the optional fields the caller gave into a Bedrock body."""
    for name in names:
        value = getattr(request, name)
        if value is not None and value != "":
            body[name] = value


class ImageRequest(OperationRequest):
    """A text-to-image request, or an image-to-image one with `image` (Ultra, SD3.5 Large)."""

    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image",)

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        title="ImageRequest",
        # The cross-field rules, in terms a schema-driven client or validator applies too.
        json_schema_extra={
            "oneOf": [
                {"required": ["prompt"], "properties": {"prompt": {"type": "string"}}},
                {"required": ["text_prompts"], "properties": {"text_prompts": {"type": "array"}}},
            ],
            "anyOf": [
                {"properties": {"model": {"not": {"enum": [SD35_LARGE]}}}},
                {"properties": {"seed": {"maximum": MODELS[SD35_LARGE].max_seed}}},
            ],
            "description": "Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most "
            f"{MODELS[SD35_LARGE].max_seed:,} (also when sd3.5-large is the deployment's default model and model "
            "is left out, which a schema cannot see).",
        },
    )

    prompt: Prompt | None = Field(default=None, description="What to generate. Required unless text_prompts is given.")
    text_prompts: TextPrompts | None = Field(
        default=None, description="Weighted prompts, at least one of them positive; not together with prompt."
    )
    negative_prompt: NegativePrompt | None = Field(default=None, description="What to keep out of the image.")
    aspect_ratio: AspectRatio = Field(default="1:1", description="Text-to-image only: the image takes its input's.")
    seed: Seed = 0
    output_format: OutputFormat = "png"
    count: Integer = Field(
        default=1, ge=1, le=MAX_COUNT, description="Images to generate, with seeds seed, seed+1, ..."
    )
    model: ModelAlias | None = Field(
        default=None, description="Model alias; default: the deployment's first enabled model."
    )
    image: ImageInput | None = Field(
        default=None, description="Image-to-image (ultra, sd3.5-large): the image to start from."
    )
    strength: Strength | None = Field(
        default=None,
        description="Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). "
        "Required on sd3.5-large; ultra defaults to 0.35.",
    )

    @field_validator("model")
    @classmethod
    def _enabled(cls, alias: str | None, info: ValidationInfo) -> str | None:
        enabled = enabled_models(info.context)
        if alias is not None and alias not in enabled:
            raise ValueError(f"model {alias!r} is not enabled here; enabled: {', '.join(enabled)}")
        return alias

    @model_validator(mode="after")
    def _fold_and_check(self, info: ValidationInfo) -> ImageRequest:
        if self.text_prompts is not None:
            if self.prompt is not None:
                raise field_error("text_prompts", "give either prompt or text_prompts, not both")
            positive = [p.text for p in self.text_prompts if p.weight > 0]
            negative = [p.text for p in self.text_prompts if p.weight < 0]
            if not positive:
                raise field_error("text_prompts", "text_prompts needs at least one entry with a positive weight")
            prompt = ", ".join(positive)
            if len(prompt) > PROMPT_MAX_CHARS:
                raise field_error("text_prompts", f"the joined prompt is longer than {PROMPT_MAX_CHARS} characters")
            if self.negative_prompt:
                negative.append(self.negative_prompt)
            negative_prompt = ", ".join(negative) or None
            if negative_prompt and len(negative_prompt) > PROMPT_MAX_CHARS:
                raise field_error(
                    "text_prompts", f"the joined negative prompt is longer than {PROMPT_MAX_CHARS} characters"
                )
            # Fold into the plain form so everything downstream sees one shape.
            object.__setattr__(self, "prompt", prompt)
            object.__setattr__(self, "negative_prompt", negative_prompt)
            object.__setattr__(self, "text_prompts", None)
        elif self.prompt is None:
            raise field_error("prompt", "prompt is required (or give text_prompts)")
        if self.model is None:
            object.__setattr__(self, "model", enabled_models(info.context)[0])
        spec = self.model_spec
        if self.seed > spec.max_seed:
            raise field_error("seed", f"seed must be at most {spec.max_seed} for model {spec.alias!r}")
        self._check_image_to_image()
        self._check_sources(info)
        return self

    def _check_image_to_image(self) -> None:
        if self.image is None:
            if self.strength is not None:
                raise field_error("strength", "strength is for image-to-image: give image too")
            return
        if self.model not in IMAGE_TO_IMAGE_MODELS:
            raise field_error(
                "model", f"image-to-image runs on {' or '.join(IMAGE_TO_IMAGE_MODELS)}, not {self.model!r}"
            )
        if self.strength is None and self.model == SD35_LARGE:
            raise field_error("strength", "image-to-image on sd3.5-large needs strength (0 to 1)")
        if "aspect_ratio" in self.model_fields_set:
            raise field_error("aspect_ratio", "image-to-image takes the input image's aspect ratio; leave it out")

    @property
    def text(self) -> str:
        """The prompt sent to the model (validation makes one of prompt or text_prompts)."""
        if self.prompt is None:
            raise ValueError("an unvalidated request has no prompt")
        return self.prompt

    @property
    def model_spec(self) -> ModelSpec:
        if self.model is None:
            raise ValueError("an unvalidated request has no model")
        return MODELS[self.model]

    def to_document(self) -> dict[str, Any]:
        document = super().to_document()
        if self.image is not None:  # its aspect ratio is the image's: the default is not the caller's
            del document["aspect_ratio"]
        return document

    def bedrock_body(self, *, seed: int, images: Mapping[str, str]) -> dict[str, Any]:
        body: dict[str, Any] = {"prompt": self.text}
        if "image" in images:
            body["image"] = images["image"]
            if self.strength is not None:
                body["strength"] = self.strength
            if self.model == SD35_LARGE:
                body["mode"] = "image-to-image"
        else:
            body["aspect_ratio"] = self.aspect_ratio
        body["seed"] = seed
        body["output_format"] = self.output_format
        copy_given_fields(body, self, "negative_prompt")
        return body
