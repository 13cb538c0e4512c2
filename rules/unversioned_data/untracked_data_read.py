import re
from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.project import Project
from mldebt.project.graph import same_artifact
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

#: Settings and secrets files (`config.json`, `.env`) are configuration, not data.
_CONFIG_FILE = re.compile(r"(^|/)[^/]*(config|settings|secrets?|credentials)[^/]*\.(json|ya?ml|toml|ini|cfg)$|(^|/)\.env$")
_READ = "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n"


class UntrackedDataRead(ProjectRule):
    """Reads a local data file that nothing versions: no DVC, no git-lfs, not committed, not produced by the repo.

    ## Why it matters
    `pd.read_csv("data/train.csv")` where `data/` is git-ignored and no `.dvc` file or
    `dvc.yaml` output covers it: the model depends on a file that exists only on someone's
    disk, in some version nobody recorded. Files the repository's own code writes are internal
    artifacts, not inputs, and files committed to git are versioned by git.

    ## Known limitations
    Paths computed at run time stay patterns (`data/*.csv`); a path whose start is unknown
    (`os.path.join(root, ...)` with `root` unknown) is not reported. URIs, absolute paths
    (see `machine-specific-path`) and test code are not checked.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3 (unstable data dependencies)
    - Breck et al. 2017, The ML Test Score (Data 1-7: input data is versioned and tested)
    """

    id = "MLD304"
    name = "untracked-data-read"
    category = Category.UNVERSIONED_DATA
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid(_READ, path="train.py", line=2, message="`data/train.csv`", files={".gitignore": "data/\n"}),
    ]
    VALID = [
        Valid(_READ, path="train.py", files={"data/train.csv.dvc": "outs:\n- md5: 1\n  path: train.csv\n"}),
        Valid(_READ, path="train.py", files={"dvc.yaml": "stages:\n  prep:\n    cmd: python prep.py\n    outs: [data/train.csv]\n"}),
        Valid(_READ, path="train.py", files={".gitattributes": "*.csv filter=lfs diff=lfs merge=lfs -text\n"}),
        Valid(_READ, path="train.py", files={"data/train.csv": "a,b\n1,2\n"}),
        Valid(_READ, path="train.py", files={"prep.py": "df.to_csv('data/train.csv')\n", ".gitignore": "data/\n"}),
        Valid("import pandas as pd\ndf = pd.read_csv(args.data)\n", path="train.py"),
        Valid("import pandas as pd\ndf = pd.read_csv(os.path.join(root, 'x.csv'))\n", path="train.py"),
        Valid(_READ, path="tests/test_train.py", files={".gitignore": "data/\n"}),
        Valid("import json\ncfg = json.load(open('config.json'))\n", path="eval.py", files={".gitignore": "config.json\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        graph = project.graph
        written = [n.split(":", 1)[1] for n in graph if n.startswith("artifact:") and any(
            graph.edges[e]["relation"] == "writes" for e in graph.in_edges(n))]
        for node, data in graph.nodes(data=True):
            if data["type"] != "artifact" or data.get("versioned"):
                continue
            path = node.split(":", 1)[1]
            if path.startswith(("*", "/", "~", "..")) or _CONFIG_FILE.search(path):
                continue
            if any(same_artifact(path, p) for p in project.present):
                continue
            if any(same_artifact(path, w) for w in written):
                continue
            for _, consumer, edge in graph.out_edges(node, data=True):
                code = consumer.split(":", 1)[1]
                if edge["relation"] == "reads" and not is_test_path(code) and "line" in edge:
                    yield ProjectFinding(
                        edge["line"],
                        f"`{path}` is read here, but no DVC file, git-lfs pattern or commit versions it",
                        hint="track it with DVC (`dvc add`) or git-lfs, or produce it in a declared pipeline stage",
                        path=code,
                    )
