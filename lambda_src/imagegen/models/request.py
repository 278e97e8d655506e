"""The one request schema, shared by the API, jobs, S3 drops and EventBridge events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, TypedDict

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

PROMPT_MAX_CHARS = 10_000
MAX_REQUEST_BYTES = 64 * 1024
MAX_COUNT = 4

AspectRatio = Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"]
ModelAlias = Literal["core", "ultra", "sd3.5-large"]
SD35_LARGE = "sd3.5-large"


def _integral(value: object) -> object:
    """5.0 is the integer 5: JSON does not tell them apart (JSON Schema's integer, since draft 6,
    is any number without a fraction). Booleans, strings and 5.5 stay what they are: refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer, whether written 5 or 5.0; never a boolean, a string or a fraction.
Integer = Annotated[int, BeforeValidator(_integral)]


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


OutputFormat = Annotated[
    Literal["png", "jpeg"],
    BeforeValidator(_lower),
    # Case-insensitive, so the schema says it with a pattern rather than an enum.
    WithJsonSchema(
        {"type": "string", "pattern": "^([pP][nN][gG]|[jJ][pP][eE][gG])$", "description": "png or jpeg, any case"}
    ),
]
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


class RequestContext(TypedDict):
    """What a request is validated against: the models the deployment enables."""

    enabled_models: tuple[str, ...]


def enabled_models(context: object) -> tuple[str, ...]:
    """The models a validation context enables; without one (a schema, a test), every model."""
    if isinstance(context, dict) and context.get("enabled_models"):
        return tuple(context["enabled_models"])
    return tuple(MODELS)


def _field_error(field: str, message: str) -> PydanticCustomError:
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


class ImageRequest(BaseModel):
    """A text-to-image request. Strict: no type coercion, no unknown fields."""

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
    aspect_ratio: AspectRatio = "1:1"
    seed: Integer = Field(default=0, ge=0, le=MAX_SEED, description="0 or absent: random. The seed used is returned.")
    output_format: OutputFormat = "png"
    count: Integer = Field(
        default=1, ge=1, le=MAX_COUNT, description="Images to generate, with seeds seed, seed+1, ..."
    )
    model: ModelAlias | None = Field(
        default=None, description="Model alias; default: the deployment's first enabled model."
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
                raise _field_error("text_prompts", "give either prompt or text_prompts, not both")
            positive = [p.text for p in self.text_prompts if p.weight > 0]
            negative = [p.text for p in self.text_prompts if p.weight < 0]
            if not positive:
                raise _field_error("text_prompts", "text_prompts needs at least one entry with a positive weight")
            prompt = ", ".join(positive)
            if len(prompt) > PROMPT_MAX_CHARS:
                raise _field_error("text_prompts", f"the joined prompt is longer than {PROMPT_MAX_CHARS} characters")
            if self.negative_prompt:
                negative.append(self.negative_prompt)
            negative_prompt = ", ".join(negative) or None
            if negative_prompt and len(negative_prompt) > PROMPT_MAX_CHARS:
                raise _field_error(
                    "text_prompts", f"the joined negative prompt is longer than {PROMPT_MAX_CHARS} characters"
                )
            # Fold into the plain form so everything downstream sees one shape.
            object.__setattr__(self, "prompt", prompt)
            object.__setattr__(self, "negative_prompt", negative_prompt)
            object.__setattr__(self, "text_prompts", None)
        elif self.prompt is None:
            raise _field_error("prompt", "prompt is required (or give text_prompts)")
        if self.model is None:
            object.__setattr__(self, "model", enabled_models(info.context)[0])
        spec = self.model_spec
        if self.seed > spec.max_seed:
            raise _field_error("seed", f"seed must be at most {spec.max_seed} for model {spec.alias!r}")
        return self

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

    @classmethod
    def parse(cls, document: object, *, enabled: Sequence[str]) -> ImageRequest:
        """The request `document` asks for, where the models `enabled` (the first by default) may
        be used; a pydantic ValidationError otherwise."""
        return cls.model_validate(document, context=RequestContext(enabled_models=tuple(enabled)))

    def seeds(self, base: int) -> list[int]:
        """Seeds of the `count` images from a non-zero base, wrapping past the model's maximum."""
        top = self.model_spec.max_seed
        return [(base - 1 + i) % top + 1 for i in range(self.count)]
