from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def model():
    import stance

    return stance.load_model()


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def seed_results(model, seed_texts):
    return {key: model.classify(text, id=key) for key, text in seed_texts.items()}
