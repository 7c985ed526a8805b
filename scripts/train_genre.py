"""Train and evaluate the genre model (stance.genre.GenreClassifier).

    python scripts/train_genre.py [--data ../shared/data] [--seed 0] [--out DIR] [--report reports/genre_eval.json]

Evaluations (all written to the report, a table is printed):
* random split: 80 % / 20 % of articles (stratified by genre); the temperature is fitted on the pooled
  out-of-fold logits of 4 stratified folds of the training part (``cross_fitted_temperature``); article- and paragraph-level per-class P/R/F1, macro-F1, confusion matrices, ECE and Brier
  before/after temperature, plus mixed-page detection on synthetic pages glued from held-out articles;
* leave-source-out: source groups (satire site, outlet, broadcaster, file) are dealt per genre into K
  folds; each fold trains without its groups and predicts them;
* seeds: the hand-labelled seed pages in tests/fixtures/seed_genres.json (check only, never trained on).
The final model is fitted on all articles and keeps the temperature found on the random split.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for p in (REPO, REPO / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from genre_corpus import DEFAULT_DATA, build_corpus  # noqa: E402
from stance.corpus import load_headlines  # noqa: E402
from stance.genre import GENRES, GenreClassifier, article_genre  # noqa: E402
from stance.training import classification_metrics  # noqa: E402
from stance.linear import fit_temperature, softmax  # noqa: E402
from stance.text import split_paragraphs  # noqa: E402

SEEDS_DIR = REPO / "seeds"
SEED_FIXTURE = REPO / "tests" / "fixtures" / "seed_genres.json"
GENRE_TEXTS = REPO / "tests" / "fixtures" / "genre_texts"
MODEL_PARAMS = {"C": 2.0, "C2": 0.5, "max_features": 40000, "min_df": 3, "oof_folds": 3, "headline_feature": True,
                "short_pages": 0.3, "segment_penalty": 4.0,
                "run_model": True, "run_style": True}


def headline_data(data_dir: Path, params: dict, seed: int = 0) -> tuple[tuple | None, dict | None]:
    """The Onion / r/nottheonion headlines for the headline feature (all of them), when ``params`` use it."""
    if not params.get("headline_feature"):
        return None, None
    texts, labels, provenance = load_headlines(Path(data_dir), cap=None, seed=seed)
    return (texts, labels), provenance


# ----------------------------------------------------------------------------------------------------
def prf(y_true, y_pred, labels):
    """stance.training.classification_metrics, with the confusion matrix under the key the reports use."""
    report = classification_metrics(list(y_true), list(y_pred), labels)
    report["confusion"] = {"rows_true_cols_pred": list(labels), "matrix": report.pop("confusion_matrix")}
    report.pop("confusion_matrix_axes")
    return report


def ece_brier(probs, y_idx, bins=10):
    probs = np.asarray(probs)
    conf, pred = probs.max(1), probs.argmax(1)
    correct = (pred == y_idx).astype(float)
    ece = 0.0
    for lo in np.linspace(0, 1, bins, endpoint=False):
        m = (conf > lo) & (conf <= lo + 1.0 / bins)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    onehot = np.eye(probs.shape[1])[y_idx]
    return {"ece": round(float(ece), 4), "brier": round(float(((probs - onehot) ** 2).sum(1).mean()), 4),
            "nll": round(float(-np.log(np.clip(probs[np.arange(len(y_idx)), y_idx], 1e-12, None)).mean()), 4)}


def predict_articles(model: GenreClassifier, articles):
    """Per article: logits (n, k). Probabilities are softmax(logits / T) for any T."""
    return [model.decision_function(a) for a in articles]


def evaluate(model, articles, labels, logits=None, temperature=None):
    labs = list(model.labels)
    logits = logits if logits is not None else predict_articles(model, articles)
    T = model.temperature if temperature is None else temperature
    p_true, p_pred, a_true, a_pred, mixed_flags, probs_all, yidx = [], [], [], [], [], [], []
    for a, y, lg in zip(articles, labels, logits):
        pr = softmax(lg / T)
        lab, scores, mixed, mix = article_genre(pr, [len(p) for p in a], labs)
        a_true.append(y)
        a_pred.append(lab)
        mixed_flags.append(mixed)
        p_true += [y] * len(a)
        p_pred += [labs[i] for i in pr.argmax(1)]
        probs_all.append(pr)
        yidx += [labs.index(y)] * len(a)
    return {
        "article": prf(a_true, a_pred, labs),
        "paragraph": prf(p_true, p_pred, labs),
        "false_mixed_rate": round(float(np.mean(mixed_flags)), 4),
        "calibration_paragraph": ece_brier(np.vstack(probs_all), np.array(yidx)),
    }


def synthetic_mixed_eval(model, articles, labels, rng, n=150):
    """Glue 2–3 blocks (4–10 paragraphs) of held-out articles of different genres; check detection."""
    labs = list(model.labels)
    by = {g: [i for i, l in enumerate(labels) if l == g and len(articles[i]) >= 4] for g in labs}
    detected, block_acc, total = 0, 0, 0
    for _ in range(n):
        gs = rng.choice(labs, size=int(rng.integers(2, 4)), replace=False)
        paras, ys = [], []
        for g in gs:
            a = articles[int(rng.choice(by[g]))]
            size = int(rng.integers(4, 11))
            s = int(rng.integers(0, max(1, len(a) - size + 1)))
            block = a[s:s + size]
            paras += block
            ys += [g] * len(block)
        pr = model.predict_proba(paras)
        _, _, mixed, _ = article_genre(pr, [len(p) for p in paras], labs)
        detected += mixed
        block_acc += int((np.array([labs[i] for i in pr.argmax(1)]) == np.array(ys)).sum())
        total += len(ys)
    return {"pages": n, "mixed_detected_rate": round(detected / n, 4),
            "paragraph_accuracy": round(block_acc / max(total, 1), 4)}


# ----------------------------------------------------------------------------------------------------
def stratified_split(labels, frac, rng):
    labels = np.asarray(labels)
    test = np.zeros(len(labels), dtype=bool)
    for g in np.unique(labels):
        idx = np.flatnonzero(labels == g)
        rng.shuffle(idx)
        test[idx[: int(round(frac * len(idx)))]] = True
    return test


def group_folds(labels, groups, k, rng):
    """Deal each genre's source groups (largest first) into k folds → fold index per article."""
    fold_of_group = {}
    for g in sorted(set(labels)):
        gs = Counter(gr for gr, lab in zip(groups, labels) if lab == g)
        names = sorted(gs, key=lambda n: (-gs[n], n))
        load = np.zeros(k)
        order = rng.permutation(k)  # ties broken in a random fold order, never two groups per fold early
        for name in names:
            f = int(order[np.argmin(load[order])])
            fold_of_group[name] = f
            load[f] += gs[name]
    return np.array([fold_of_group[gr] for gr in groups])


def genre_texts_eval(model, folder=GENRE_TEXTS):
    """Article labels on our own short texts (tests/fixtures/genre_texts/GENRE/*.txt): interviews in several web
    layouts, briefs, columns, satire. The training interviews are all transcripts of one kind; these are not."""
    if not folder.exists():
        return {"skipped": "no genre_texts fixture"}
    labs = list(model.labels)
    per_text, right = {}, 0
    for path in sorted(folder.glob("*/*.txt")):
        paras = [p.text for p in split_paragraphs(path.read_text(encoding="utf-8")) if not p.boilerplate]
        pr = model.predict_proba(paras)
        lab, scores, mixed, _ = article_genre(pr, [len(p) for p in paras], labs)
        right += lab == path.parent.name
        per_text[f"{path.parent.name}/{path.name}"] = {"pred_article": lab, "mixed": mixed,
                                                       "score": round(scores[lab], 3),
                                                       "paragraphs": [labs[i] for i in pr.argmax(1)]}
    return {"articles_correct": right, "articles": len(per_text), "per_text": per_text}


def seed_eval(model, seeds_dir=SEEDS_DIR, fixture=SEED_FIXTURE):
    """Accuracy on the hand-labelled seed paragraphs (matched by text prefix) and article labels."""
    if not fixture.exists() or not seeds_dir.exists():
        return {"skipped": "no seed fixture or seed folder"}
    spec = json.loads(fixture.read_text(encoding="utf-8"))
    labs = list(model.labels)
    out, n_ok, n_all, art_ok = {}, 0, 0, 0
    for name, info in spec["seeds"].items():
        path = seeds_dir / name
        text = path.read_text(encoding="utf-8")
        paras = [p.text for p in split_paragraphs(text) if not p.boilerplate]
        pr = model.predict_proba(paras)
        pred = [labs[i] for i in pr.argmax(1)]
        lab, scores, mixed, mix = article_genre(pr, [len(p) for p in paras], labs)
        ok = 0
        matched = 0
        wrong = []
        j = 0
        for item in info["paragraphs"]:
            prefix = item["prefix"]
            while j < len(paras) and not paras[j].startswith(prefix):
                j += 1
            if j == len(paras):
                wrong.append({"prefix": prefix, "missing": True})
                j = 0
                continue
            matched += 1
            if pred[j] == item["genre"]:
                ok += 1
            else:
                wrong.append({"prefix": prefix[:40], "gold": item["genre"], "pred": pred[j],
                              "probs": {g: round(float(v), 3) for g, v in zip(labs, pr[j])}})
            j += 1
        n_lab = len(info["paragraphs"])
        want = info["article"]
        art_right = mixed if want == "mixed" else (lab == want and not mixed)
        art_ok += art_right
        n_ok += ok
        n_all += n_lab
        out[name] = {"gold_article": want, "pred_article": lab, "mixed": mixed,
                     "genre_mix": {g: round(v, 3) for g, v in mix.items()},
                     "genre_scores": {g: round(v, 3) for g, v in scores.items()},
                     "article_correct": bool(art_right), "labelled_paragraphs": n_lab,
                     "matched": matched, "paragraph_accuracy": round(ok / max(n_lab, 1), 4),
                     "kept_paragraphs_given_to_model": len(paras), "errors": wrong}
    return {"per_seed": out, "paragraph_accuracy": round(n_ok / max(n_all, 1), 4),
            "articles_correct": art_ok, "articles": len(spec["seeds"])}


CALIBRATION_FOLDS = 4


def cross_fitted_temperature(articles, labels_a, groups, idx, headlines, seed, rng, params=None) -> float:
    """Softmax temperature fitted on the pooled out-of-fold logits of ``CALIBRATION_FOLDS`` stratified folds of
    the articles ``idx``. One held-out slice of ~130 articles gave temperatures from 0.78 to 1.32 on two halves
    of the same split (paragraphs of one article are not independent), so every training article takes part."""
    fold = np.zeros(len(idx), dtype=int)
    rest = np.ones(len(idx), dtype=bool)
    for f in range(CALIBRATION_FOLDS - 1):  # deal stratified slices of what is left: equal-sized folds
        pick = np.flatnonzero(rest)[stratified_split(labels_a[idx][rest], 1.0 / (CALIBRATION_FOLDS - f), rng)]
        fold[pick] = f
        rest[pick] = False
    fold[rest] = CALIBRATION_FOLDS - 1
    logits, ys = [], []
    for f in range(CALIBRATION_FOLDS):
        tr, te = idx[fold != f], idx[fold == f]
        mf = GenreClassifier(seed=seed, **(params or MODEL_PARAMS)).fit(
            [articles[i] for i in tr], labels_a[tr], groups=[groups[i] for i in tr], headlines=headlines)
        for i in te:
            logits.append(mf.decision_function(articles[i]))
            ys += [mf.labels.index(labels_a[i])] * len(articles[i])
    return fit_temperature(np.vstack(logits), np.array(ys))


# ----------------------------------------------------------------------------------------------------
def train(data_dir: Path = DEFAULT_DATA, seed: int = 0, *, full_eval: bool = False,
          lso_folds: int = 4, log=print) -> tuple[GenreClassifier, dict]:
    """Fit the default model on all articles; metrics = random-split evaluation (+ leave-source-out if
    ``full_eval``) and provenance.  Returns ``(model, metrics)``."""
    rng = np.random.default_rng(seed)
    articles, labels, groups, provenance = build_corpus(Path(data_dir), seed=seed)
    headlines, headline_provenance = headline_data(data_dir, MODEL_PARAMS, seed)
    if headline_provenance is not None:  # listed with the other training files (the model card reads them)
        provenance = {**provenance, "headlines": headline_provenance,
                      "files": {**provenance["files"], headline_provenance["file"]: {
                          "sha256": headline_provenance["sha256"], "terms": headline_provenance["terms"]}}}
        provenance.get("not_used", {}).pop(headline_provenance["file"], None)
    labels_a = np.asarray(labels)
    metrics: dict = {"provenance": provenance, "params": MODEL_PARAMS, "seed": seed}

    # random split
    t0 = time.time()
    test = stratified_split(labels, 0.2, rng)
    fit_idx = np.flatnonzero(~test)
    m = GenreClassifier(seed=seed, **MODEL_PARAMS).fit([articles[i] for i in fit_idx], labels_a[fit_idx],
                                                       groups=[groups[i] for i in fit_idx], headlines=headlines)
    te_idx = np.flatnonzero(test)
    te_arts, te_labs = [articles[i] for i in te_idx], labels_a[te_idx].tolist()
    logits = predict_articles(m, te_arts)
    before = evaluate(m, te_arts, te_labs, logits, temperature=1.0)
    T = cross_fitted_temperature(articles, labels_a, groups, fit_idx, headlines, seed, rng)
    m.temperature = T
    after = evaluate(m, te_arts, te_labs, logits, temperature=T)
    metrics["random_split"] = {
        "n_train_articles": int(len(fit_idx)), "n_calibration_articles": int(len(fit_idx)),
        "temperature_fit": f"pooled out-of-fold logits of {CALIBRATION_FOLDS} stratified folds of the training articles",
        "n_test_articles": int(len(te_idx)), **after,
        "calibration": {"temperature": round(T, 4), "before": before["calibration_paragraph"],
                        "after": after["calibration_paragraph"]},
        "synthetic_mixed_pages": synthetic_mixed_eval(m, te_arts, te_labs, np.random.default_rng(seed + 1)),
        "seconds": round(time.time() - t0, 1),
    }
    log(f"random split done in {time.time() - t0:.0f}s; T={T:.3f}")

    if full_eval:
        t0 = time.time()
        folds = group_folds(labels, groups, lso_folds, rng)
        a_true, a_pred, p_true, p_pred, per_group = [], [], [], [], {}
        mixed_flags, probs_all, yidx, fold_info = [], [], [], []
        for f in range(lso_folds):
            tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
            held = sorted(set(groups[i] for i in te))
            mf = GenreClassifier(seed=seed, **MODEL_PARAMS).fit([articles[i] for i in tr], labels_a[tr],
                                                                 groups=[groups[i] for i in tr], headlines=headlines)
            mf.temperature = T
            labs = list(mf.labels)
            for i in te:
                pr = mf.predict_proba(articles[i])
                lab, _, mixed, _ = article_genre(pr, [len(p) for p in articles[i]], labs)
                a_true.append(labels[i])
                a_pred.append(lab)
                mixed_flags.append(mixed)
                pp = [labs[j] for j in pr.argmax(1)]
                p_true += [labels[i]] * len(pp)
                p_pred += pp
                probs_all.append(pr)
                yidx += [labs.index(labels[i])] * len(pp)
                d = per_group.setdefault(groups[i], [0, 0])
                d[0] += lab == labels[i]
                d[1] += 1
            fold_info.append({"fold": f, "held_out_groups": held, "n_test_articles": int(len(te))})
            log(f"leave-source-out fold {f} done ({time.time() - t0:.0f}s)")
        metrics["leave_source_out"] = {
            "folds": fold_info,
            "article": prf(a_true, a_pred, list(GENRES)),
            "paragraph": prf(p_true, p_pred, list(GENRES)),
            "false_mixed_rate": round(float(np.mean(mixed_flags)), 4),
            "calibration_paragraph_with_T": ece_brier(np.vstack(probs_all), np.array(yidx)),
            "article_accuracy_per_group": {g: round(v[0] / v[1], 3) for g, v in sorted(per_group.items())},
            "seconds": round(time.time() - t0, 1),
        }

    t0 = time.time()
    model = GenreClassifier(seed=seed, **MODEL_PARAMS).fit(articles, labels, groups=groups, headlines=headlines)
    model.temperature = T
    metrics["final_fit_seconds"] = round(time.time() - t0, 1)
    metrics["seeds"] = seed_eval(model)
    metrics["genre_texts"] = genre_texts_eval(model)
    # speed: predict_proba on a 15-paragraph article
    arts15 = [a[:15] for a in articles if len(a) >= 15][:40]
    model.predict_proba(arts15[0])
    t0 = time.perf_counter()
    for a in arts15:
        model.predict_proba(a)
    dt = (time.perf_counter() - t0) / len(arts15)
    metrics["speed"] = {"ms_per_15_paragraph_article": round(dt * 1000, 3),
                        "paragraphs_per_second": int(15 / dt)}
    metrics["top_features"] = model.top_features(12)
    return model, metrics


def save_state(model: GenreClassifier, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    config, arrays = model.get_state()
    (out / "genre.json").write_text(json.dumps(config), encoding="utf-8")
    np.savez_compressed(out / "genre.npz", **arrays)
    return {"genre.json_bytes": (out / "genre.json").stat().st_size,
            "genre.npz_bytes": (out / "genre.npz").stat().st_size}


def load_state(folder: Path) -> GenreClassifier:
    config = json.loads((Path(folder) / "genre.json").read_text(encoding="utf-8"))
    with np.load(Path(folder) / "genre.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return GenreClassifier.from_state(config, arrays)


def print_table(metrics: dict) -> None:
    def block(title, res):
        print(f"\n== {title}: macro-F1 {res['macro_f1']:.3f}  accuracy {res['accuracy']:.3f}  n={res['n']}")
        print(f"{'':11s}{'P':>7s}{'R':>7s}{'F1':>7s}{'n':>7s}   confusion (rows true, cols pred: "
              + " ".join(g[:4] for g in res['confusion']['rows_true_cols_pred']) + ")")
        for g, row in zip(res["confusion"]["rows_true_cols_pred"], res["confusion"]["matrix"]):
            c = res["per_class"][g]
            print(f"{g:11s}{c['precision']:7.3f}{c['recall']:7.3f}{c['f1']:7.3f}{c['support']:7d}   "
                  + " ".join(f"{v:5d}" for v in row))

    rs = metrics["random_split"]
    block("random split / article", rs["article"])
    block("random split / paragraph", rs["paragraph"])
    print("calibration (paragraph):", rs["calibration"], "| false mixed:", rs["false_mixed_rate"],
          "| synthetic mixed pages:", rs["synthetic_mixed_pages"])
    if "leave_source_out" in metrics:
        lso = metrics["leave_source_out"]
        block("leave-source-out / article", lso["article"])
        block("leave-source-out / paragraph", lso["paragraph"])
        print("LSO false mixed:", lso["false_mixed_rate"], "| calibration:", lso["calibration_paragraph_with_T"])
    s = metrics.get("seeds", {})
    if "per_seed" in s:
        print(f"\n== seeds: paragraph accuracy {s['paragraph_accuracy']:.3f}, "
              f"articles {s['articles_correct']}/{s['articles']}")
        for name, r in s["per_seed"].items():
            print(f"  {name}: gold {r['gold_article']:9s} pred {r['pred_article']:9s} mixed={r['mixed']} "
                  f"para acc {r['paragraph_accuracy']:.3f} mix {r['genre_mix']}")
    print("\nspeed:", metrics["speed"])


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="train and evaluate the genre model")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="folder for genre.json + genre.npz")
    ap.add_argument("--report", type=Path, default=REPO / "reports" / "genre_eval.json")
    ap.add_argument("--no-lso", action="store_true", help="skip the leave-source-out evaluation")
    args = ap.parse_args()
    model, metrics = train(args.data, args.seed, full_eval=not args.no_lso)
    if args.out:
        metrics["state_size"] = save_state(model, args.out)
        reloaded = load_state(args.out)
        probe = ["The President. Thank you.", "Officials said on Tuesday that 40 people died."]
        metrics["state_round_trip_max_abs_diff"] = float(np.abs(reloaded.predict_proba(probe)
                                                                - model.predict_proba(probe)).max())
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    print_table(metrics)
    print(f"\nreport written to {args.report}" + (f"; model state in {args.out}" if args.out else ""))
