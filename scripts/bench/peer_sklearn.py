#!/usr/bin/python3
"""The peer: what people would otherwise run. scikit-learn TF-IDF + MiniBatchKMeans on the same JSONL.

    /usr/bin/python3 scripts/bench/peer_sklearn.py corpus.jsonl

Prints one JSON object on stdout: wall seconds per phase and in all, peak RSS, versions and the BLAS
kernel in use. Text per record is title + " " + abstract, as papers clusters on.
"""
import json
import resource
import sys
import time
import warnings


def main() -> None:
    if len(sys.argv) != 2:
        sys.stderr.write("usage: peer_sklearn.py FILE.jsonl\n")
        sys.exit(2)
    t_start = time.perf_counter()
    import numpy
    import sklearn
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    t_import = time.perf_counter()
    docs = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            docs.append((r.get("title") or "") + " " + (r.get("abstract") or ""))
    t_read = time.perf_counter()
    vec = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True)
    x = vec.fit_transform(docs)
    t_tfidf = time.perf_counter()
    km = MiniBatchKMeans(n_clusters=20, random_state=0)
    with warnings.catch_warnings():
        # sklearn 1.2 warns that the n_init default will change; the default is what is measured.
        warnings.simplefilter("ignore", FutureWarning)
        labels = km.fit_predict(x)
    t_kmeans = time.perf_counter()

    blas = []
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            blas.append(
                {
                    k: info.get(k)
                    for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")
                }
            )
    except Exception as err:  # threadpoolctl missing or failing: say so instead of guessing
        blas.append({"error": repr(err)})

    sizes = numpy.bincount(labels, minlength=20)
    out = {
        "records": len(docs),
        "features": int(x.shape[1]),
        "nnz": int(x.nnz),
        "clusters": int((sizes > 0).sum()),
        "largest_cluster": int(sizes.max()),
        "seconds": {
            "import": t_import - t_start,
            "read": t_read - t_import,
            "tfidf": t_tfidf - t_read,
            "kmeans": t_kmeans - t_tfidf,
            "total": t_kmeans - t_start,
        },
        # Linux reports ru_maxrss in KiB.
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "kmeans_params": {k: repr(v) for k, v in km.get_params().items()},
        "versions": {
            "python": sys.version.split()[0],
            "sklearn": sklearn.__version__,
            "numpy": numpy.__version__,
        },
        "blas": blas,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
