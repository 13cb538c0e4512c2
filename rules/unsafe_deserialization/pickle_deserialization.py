import libcst as cst

from mldebt.knowledge import report_guarded_call
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid


class PickleDeserialization(PythonRule):
    """Loads a pickle-based file (pickle, cloudpickle, dill, joblib, pandas.read_pickle, shelve).

    ## Why it matters
    Unpickling runs whatever code the file says to run. Model files, feature caches and
    datasets get shared across teams, buckets and hubs, and a pickle among them is an
    executable that nobody reviewed. joblib and `pandas.read_pickle` are pickle underneath.

    ## Known limitations
    A file the same script wrote moments earlier is as safe as the code that wrote it; mldebt
    cannot tell, so it reports every load of a file. In-memory round trips
    (`pickle.loads(pickle.dumps(x))`, or of a name assigned from `dumps` in the same function)
    and test code are not reported. Suppress with `# mldebt: ignore[MLD401]` where the origin
    is under control.

    ## References
    - Python docs, `pickle`: "Never unpickle data received from an untrusted source"
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems (unstable data dependencies)
    - CWE-502: Deserialization of Untrusted Data
    """

    id = "MLD401"
    name = "pickle-deserialization"
    category = Category.UNSAFE_DESERIALIZATION
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    in_tests = False
    INVALID = [
        Invalid("import pickle\nwith open('m.pkl', 'rb') as f:\n    model = pickle.load(f)\n", line=3),
        Invalid("from joblib import load\nclf = load('model.joblib')\n", line=2, message="`joblib.load`"),
        Invalid("import pandas as pd\ndf = pd.read_pickle('features.pkl')\n", message="read_parquet"),
        Invalid("import dill as d\nobj = d.loads(blob)\n", line=2),
        Invalid("import cloudpickle\nfn = cloudpickle.loads(payload)\n"),
        Invalid("def f(b):\n    import pickle as pk\n    return pk.loads(b)\n", line=3),
    ]
    VALID = [
        "import json\nwith open('m.json') as f:\n    cfg = json.load(f)\n",
        "import pickle\nwith open('m.pkl', 'wb') as f:\n    pickle.dump(model, f)\n",
        "def load(path):\n    return open(path).read()\nx = load('a.txt')\n",
        "self.model.load('weights.bin')\n",
        "import pandas as pd\ndf = pd.read_parquet('features.parquet')\n",
        "import pickle\ncopy = pickle.loads(pickle.dumps(obj))\n",
        "import cloudpickle\ndef f(x):\n    blob = cloudpickle.dumps(x)\n    return cloudpickle.loads(blob)\n",
        Valid("import pickle\nwith open(p, 'rb') as f:\n    obj = pickle.load(f)\n", path="tests/test_io.py"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: Names bound to the result of a `dumps` call in the current function.
        self._in_memory: set[str] = set()

    def _is_dumps(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and (self.ctx.qualname(node.func) or "").endswith(".dumps")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._in_memory.clear()

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_dumps(node.value):
            self._in_memory.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

    def visit_Call(self, node: cst.Call) -> None:
        source = node.args[0].value if node.args else None
        if source is not None and (
            self._is_dumps(source) or (isinstance(source, cst.Name) and source.value in self._in_memory)
        ):
            return  # an in-memory round trip, not a file from elsewhere
        report_guarded_call(self, node, "deserialization")
