"""A typed method per operation of the service (SPEC section 8), each a synchronous call of
`run`. Arguments left as None are left out of the request, so the service's defaults apply; the
rules (ranges, which fields go together) are the request models' and are checked in `run`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from imagegen_client._generated import GenerationResponse
    from imagegen_client.images import ImageInput


class Operations:
    def run(self, operation: str, **fields: Any) -> GenerationResponse:
        raise NotImplementedError

    def generate(
        self,
        prompt: str | None = None,
        *,
        model: str | None = None,
        count: int | None = None,
        aspect_ratio: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
        negative_prompt: str | None = None,
        text_prompts: list[dict[str, Any]] | None = None,
        image: ImageInput | None = None,
        strength: float | None = None,
    ) -> GenerationResponse:
        """Text-to-image, or image-to-image with `image` and `strength` (ultra, sd3.5-large)."""
        return self.run(
            "images",
            prompt=prompt,
            model=model,
            count=count,
            aspect_ratio=aspect_ratio,
            seed=seed,
            output_format=output_format,
            negative_prompt=negative_prompt,
            text_prompts=text_prompts,
            image=image,
            strength=strength,
        )

    def upscale_fast(self, image: ImageInput, *, output_format: str | None = None) -> GenerationResponse:
        return self.run("upscale/fast", image=image, output_format=output_format)

    def upscale_conservative(
        self,
        image: ImageInput,
        *,
        prompt: str,
        creativity: float | None = None,
        negative_prompt: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        return self.run(
            "upscale/conservative",
            image=image,
            prompt=prompt,
            creativity=creativity,
            negative_prompt=negative_prompt,
            seed=seed,
            output_format=output_format,
        )

    def upscale_creative(
        self,
        image: ImageInput,
        *,
        prompt: str,
        creativity: float | None = None,
        style_preset: str | None = None,
        negative_prompt: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        return self.run(
            "upscale/creative",
            image=image,
            prompt=prompt,
            creativity=creativity,
            style_preset=style_preset,
            negative_prompt=negative_prompt,
            seed=seed,
            output_format=output_format,
        )

    def remove_background(self, image: ImageInput, *, output_format: str | None = None) -> GenerationResponse:
        return self.run("edit/remove-background", image=image, output_format=output_format)

    def erase(
        self,
        image: ImageInput,
        *,
        mask: ImageInput | None = None,
        grow_mask: int | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        """Without `mask`, the image's alpha channel is the mask."""
        return self.run(
            "edit/erase", image=image, mask=mask, grow_mask=grow_mask, seed=seed, output_format=output_format
        )

    def inpaint(
        self,
        image: ImageInput,
        *,
        prompt: str,
        mask: ImageInput | None = None,
        grow_mask: int | None = None,
        negative_prompt: str | None = None,
        style_preset: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        """Without `mask`, the image's alpha channel is the mask."""
        return self.run(
            "edit/inpaint",
            image=image,
            prompt=prompt,
            mask=mask,
            grow_mask=grow_mask,
            negative_prompt=negative_prompt,
            style_preset=style_preset,
            seed=seed,
            output_format=output_format,
        )

    def outpaint(
        self,
        image: ImageInput,
        *,
        left: int | None = None,
        right: int | None = None,
        up: int | None = None,
        down: int | None = None,
        prompt: str | None = None,
        creativity: float | None = None,
        style_preset: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        """At least one margin (left, right, up, down) above 0."""
        return self.run(
            "edit/outpaint",
            image=image,
            left=left,
            right=right,
            up=up,
            down=down,
            prompt=prompt,
            creativity=creativity,
            style_preset=style_preset,
            seed=seed,
            output_format=output_format,
        )

    def search_and_replace(
        self,
        image: ImageInput,
        *,
        prompt: str,
        search_prompt: str,
        grow_mask: int | None = None,
        negative_prompt: str | None = None,
        style_preset: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        return self.run(
            "edit/search-and-replace",
            image=image,
            prompt=prompt,
            search_prompt=search_prompt,
            grow_mask=grow_mask,
            negative_prompt=negative_prompt,
            style_preset=style_preset,
            seed=seed,
            output_format=output_format,
        )

    def search_and_recolor(
        self,
        image: ImageInput,
        *,
        prompt: str,
        select_prompt: str,
        grow_mask: int | None = None,
        negative_prompt: str | None = None,
        style_preset: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        return self.run(
            "edit/search-and-recolor",
            image=image,
            prompt=prompt,
            select_prompt=select_prompt,
            grow_mask=grow_mask,
            negative_prompt=negative_prompt,
            style_preset=style_preset,
            seed=seed,
            output_format=output_format,
        )

    def sketch(
        self,
        image: ImageInput,
        *,
        prompt: str,
        control_strength: float | None = None,
        negative_prompt: str | None = None,
        style_preset: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        return self.run(
            "control/sketch",
            image=image,
            prompt=prompt,
            control_strength=control_strength,
            negative_prompt=negative_prompt,
            style_preset=style_preset,
            seed=seed,
            output_format=output_format,
        )

    def structure(
        self,
        image: ImageInput,
        *,
        prompt: str,
        control_strength: float | None = None,
        negative_prompt: str | None = None,
        style_preset: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        return self.run(
            "control/structure",
            image=image,
            prompt=prompt,
            control_strength=control_strength,
            negative_prompt=negative_prompt,
            style_preset=style_preset,
            seed=seed,
            output_format=output_format,
        )

    def style_guide(
        self,
        image: ImageInput,
        *,
        prompt: str,
        fidelity: float | None = None,
        aspect_ratio: str | None = None,
        negative_prompt: str | None = None,
        style_preset: str | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        return self.run(
            "control/style-guide",
            image=image,
            prompt=prompt,
            fidelity=fidelity,
            aspect_ratio=aspect_ratio,
            negative_prompt=negative_prompt,
            style_preset=style_preset,
            seed=seed,
            output_format=output_format,
        )

    def style_transfer(
        self,
        init_image: ImageInput,
        style_image: ImageInput,
        *,
        prompt: str | None = None,
        negative_prompt: str | None = None,
        composition_fidelity: float | None = None,
        style_strength: float | None = None,
        change_strength: float | None = None,
        seed: int | None = None,
        output_format: str | None = None,
    ) -> GenerationResponse:
        return self.run(
            "control/style-transfer",
            init_image=init_image,
            style_image=style_image,
            prompt=prompt,
            negative_prompt=negative_prompt,
            composition_fidelity=composition_fidelity,
            style_strength=style_strength,
            change_strength=change_strength,
            seed=seed,
            output_format=output_format,
        )
