"""The model bundle: genre + stance classifiers and their metadata, saved as plain JSON and numpy arrays.

A model is a folder::

    meta.json            format version, stance/scikit-learn versions, labels, training data SHA-256s,
                         seed, metrics, and the SHA-256 of every file below
    genre.json           genre classifier config (parameters, vocabulary, labels)
    genre.npz            genre classifier arrays (idf, coefficients, ...), loaded with allow_pickle=False
    stance.json          stance classifier config
    stance.npz           stance classifier arrays
    MODEL_CARD.md        optional, human-readable; not checksummed

Loading never runs code from the files: estimators are rebuilt from the arrays.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from . import __version__
from .errors import CorruptModelError, IncompatibleModelError, ModelError
from .results import ActorStance, ArticleResult, FailedItem

FORMAT = "stance-model"
FORMAT_VERSION = 1
DEFAULT_MODEL_NAME = "stance-default"
PARTS = ("genre", "stance")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_model_path() -> Path:
    """Where the shipped model lives: the ``stance.models`` package once installed, ``models/`` in a checkout."""
    checkout = Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME
    if (checkout / "meta.json").is_file():  # this source tree's own model, even where another copy is installed
        return checkout
    try:
        return Path(str(resources.files("stance.models") / DEFAULT_MODEL_NAME))
    except ModuleNotFoundError:
        return checkout


def check_output_folder(output: str | Path) -> None:
    """Refuse an ``output`` that is a file or a folder holding anything but a stance model, before training."""
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output {folder} is a file; give a new folder (or a model folder to replace)")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / "meta.json").is_file():
        raise ValueError(f"output {folder} is a folder that holds other files and no stance model; "
                         "give a new or empty folder so nothing of yours is overwritten")
    missing = []  # the folders to create: made and removed again now, so a path that cannot be made fails early
    existing = folder
    while not existing.exists():
        missing.append(existing)
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"output {folder} cannot be created: {existing} is a file")
    try:
        for d in reversed(missing):
            d.mkdir()
        probe = folder / ".stance-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"output {folder} cannot be written ({exc.strerror or exc}); give a folder you can write to") from exc
    finally:
        for d in missing:
            if d.is_dir():
                d.rmdir()


def _part_class(part: str):
    if part == "genre":
        from .genre import GenreClassifier

        return GenreClassifier
    from .targets import StanceClassifier

    return StanceClassifier


@dataclass
class Model:
    """A loaded (or freshly trained) stance model. Use :func:`load_model` rather than building one."""

    genre: Any
    stance: Any
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "unnamed"))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "0"))

    @property
    def genres(self) -> tuple[str, ...]:
        return tuple(self.genre.labels)

    def info(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version}

    # -- analysis (see pipeline.py) --------------------------------------------------------------
    def classify(self, text: str, *, actors: Mapping[str, Sequence[str]] | None = None, replace_actors: bool = False,
                 id: str | None = None) -> ArticleResult:
        from .actors import actor_list
        from .pipeline import classify

        return classify(self, text, actors=actor_list(actors, replace_actors), id=id)

    def classify_many(self, texts: Iterable[str], *, n_jobs: int = 1, batch_size: int = 32,
                      actors: Mapping[str, Sequence[str]] | None = None, replace_actors: bool = False,
                      on_error: str = "raise") -> list[ArticleResult | FailedItem]:
        from .actors import actor_list
        from .pipeline import classify_many

        return classify_many(self, texts, n_jobs=n_jobs, batch_size=batch_size,
                             actors=actor_list(actors, replace_actors), on_error=on_error)

    def stance_toward(self, text: str, actor: str, span: tuple[int, int] | None = None) -> ActorStance:
        from .pipeline import stance_toward

        return stance_toward(self, text, actor, span)

    # -- files -----------------------------------------------------------------------------------
    def save(self, path: str | Path, *, model_card: str | None = None) -> Path:
        """Write the model folder (created if needed; an earlier model there is replaced). A file, or a folder
        holding other files, is refused with ``ValueError`` so nothing else is overwritten."""
        import sklearn

        folder = Path(path)
        check_output_folder(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        for part in PARTS:
            config, arrays = getattr(self, part).get_state()
            for name, array in arrays.items():
                if np.asarray(array).dtype == object:
                    raise ModelError(f"{part} state array {name!r} has dtype object; only numeric arrays can be saved")
            json_path, npz_path = folder / f"{part}.json", folder / f"{part}.npz"
            json_path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
            np.savez_compressed(npz_path, **{k: np.asarray(v) for k, v in arrays.items()})
            files[json_path.name] = sha256_file(json_path)
            files[npz_path.name] = sha256_file(npz_path)
        meta = dict(self.meta)
        meta.update({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "stance_version": __version__,
            "sklearn_version": sklearn.__version__,
            "genres": list(self.genres),
            "files": files,
        })
        meta.setdefault("name", folder.name)
        meta.setdefault("version", "0")
        (folder / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if model_card is not None:
            (folder / "MODEL_CARD.md").write_text(model_card, encoding="utf-8")
        self.meta, self.path = meta, folder
        return folder


def _read_meta(folder: Path) -> dict[str, Any]:
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise CorruptModelError(
            f"{folder} has no meta.json, so it is not a stance model folder (or it was copied incompletely); "
            "point to the folder that `stance train` or `Model.save` wrote")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptModelError(f"{meta_path} is not valid JSON ({exc}); the file is damaged: copy the model again") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IncompatibleModelError(f"{meta_path} does not describe a {FORMAT!r} model; is this a stance model folder?")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"{folder} uses model format version {version!r}; this stance {__version__} reads version {FORMAT_VERSION}. "
            "Install the stance version that wrote it, or retrain the model with `stance train`.")
    return meta


def _read_part(folder: Path, part: str, checksums: Mapping[str, str]) -> tuple[dict, dict[str, np.ndarray]]:
    paths = {suffix: folder / f"{part}.{suffix}" for suffix in ("json", "npz")}
    for path in paths.values():
        if not path.is_file():
            raise CorruptModelError(f"{path} is missing; the model folder is incomplete: copy it again or retrain")
        expected = checksums.get(path.name)
        if expected is None:
            raise CorruptModelError(f"meta.json lists no checksum for {path.name}; the model folder was altered")
        if sha256_file(path) != expected:
            raise CorruptModelError(
                f"{path} does not match the SHA-256 recorded in meta.json: the file was truncated or modified. "
                "Copy the model again from its source, or retrain it.")
    try:
        config = json.loads(paths["json"].read_text(encoding="utf-8"))
        with np.load(paths["npz"], allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except ValueError as exc:  # includes JSONDecodeError and numpy's refusal to unpickle object arrays
        raise CorruptModelError(f"{folder}/{part}.* holds something other than plain JSON and numeric arrays ({exc})") from exc
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, EOFError) as exc:
        raise CorruptModelError(f"{paths['npz']} cannot be read ({exc}); copy the model again or retrain") from exc
    return config, arrays


def load_model(path: str | Path | None = None) -> Model:
    """Load a model folder; ``None`` loads the model shipped with stance (cached)."""
    if path is None:
        return _default_model()
    return _load(Path(path))


def _load(folder: Path) -> Model:
    if not folder.exists():
        raise ModelError(f"no model at {folder}; pass the folder that `stance train` or Model.save wrote")
    if not folder.is_dir():
        raise CorruptModelError(
            f"{folder} is a file; a stance model is a folder with meta.json, genre.* and stance.* "
            "(stance never loads pickled models)")
    meta = _read_meta(folder)
    checksums = meta.get("files") or {}
    if not isinstance(checksums, dict):
        raise CorruptModelError(f"{folder}/meta.json: \"files\" must map file names to SHA-256 checksums, got a "
                                f"{type(checksums).__name__}; the file was altered: copy the model again")
    parts = {}
    for part in PARTS:
        config, arrays = _read_part(folder, part, checksums)
        try:
            parts[part] = _part_class(part).from_state(config, arrays)
        except Exception as exc:  # any shape of config/arrays this version cannot read
            raise IncompatibleModelError(
                f"the {part} part of {folder} cannot be rebuilt by stance {__version__} ({type(exc).__name__}: {exc}); "
                "retrain the model with this version") from exc
    return Model(genre=parts["genre"], stance=parts["stance"], meta=meta, path=folder)


_DEFAULT: Model | None = None


def _default_model() -> Model:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = _load(default_model_path())
    return _DEFAULT
