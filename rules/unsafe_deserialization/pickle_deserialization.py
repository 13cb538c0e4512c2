from dataclasses import dataclass, field

import libcst as cst

from mldebt.extract.own_files import UnsafeLoads
from mldebt.knowledge import load_table
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid


class PickleDeserialization(PythonRule):
    """Loads a pickle-based file (pickle, cloudpickle, dill, joblib, pandas.read_pickle, shelve).

    ## Why it matters
    Unpickling runs whatever code the file says to run. Model files, feature caches and
    datasets get shared across teams, buckets and hubs, and a pickle among them is an
    executable that nobody reviewed. joblib and `pandas.read_pickle` are pickle underneath.

    ## Known limitations
    The rule's risk is a file from someone else, so loads of the repository's own files are
    not reported: a file the module itself writes at the same path (a cache it builds on the
    first run and reloads after, an index it saves beside the data, a model a notebook saved a
    few cells above; paths compared as code within one module, a bare variable only within its
    function, so a `load(path)` helper is still reported); a file another script of the
    repository writes (a `preprocess_data.py` that pickles `train.pkl` into the folder
    `train.py` reads it from), on strict evidence: the same file name under a folder both sides
    take from the same place, a helper's parameter followed through the module's calls of the
    helper (`mldebt/project/handoffs.py`); a file a pipeline step is handed by its pipeline and
    loads in its own body (a Kubeflow component's `InputPath()` / `Input[Dataset]` parameter, or
    one the pipeline passes another task's output: an intermediate the step before it wrote);
    and a file the repository commits (a course's model
    beside its service); and an object read back with two or more keys, all stored by one of
    the module's own dumps (its own format, wherever the file is kept). A path the user gives,
    a download or an environment variable is reported, once per file and function (a retry of
    the same load is the same finding).

    Bytes made inside the same job are not reported: in-memory round trips
    (`pickle.loads(pickle.dumps(x))`, or of a name assigned from `dumps` in the same function),
    and bytes another rank of the job sent through a `torch.distributed` collective into a
    tensor of the same function (`rules/knowledge/deserialization.yaml`). Test code is not
    reported either. Suppress with `# mldebt: ignore[MLD401]` where the origin is under control.

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
    reports_own_files = False
    INVALID = [
        Invalid("import pickle\nwith open('m.pkl', 'rb') as f:\n    model = pickle.load(f)\n", line=3),
        Invalid("from joblib import load\nclf = load('model.joblib')\n", line=2, message="`joblib.load`"),
        Invalid("import pandas as pd\ndf = pd.read_pickle('features.pkl')\n", message="read_parquet"),
        Invalid("import dill as d\nobj = d.loads(blob)\n", line=2),
        Invalid("import cloudpickle\nfn = cloudpickle.loads(payload)\n"),
        Invalid("def f(b):\n    import pickle as pk\n    return pk.loads(b)\n", line=3),
        # A name that held a round trip's bytes, rebound to a file's.
        Invalid("import pickle\ndef f(x, path):\n    blob = pickle.dumps(x)\n    blob = open(path, 'rb').read()\n"
                "    return pickle.loads(blob)\n", line=5),
        # Bytes read from a file, next to a broadcast of something else.
        Invalid("import pickle\nimport torch.distributed as dist\ndef f(path, sizes):\n    dist.broadcast(sizes, 0)\n"
                "    blob = open(path, 'rb').read()\n    return pickle.loads(blob)\n", line=6),
        # An attribute another method fills from a socket, in a class that also pickles requests.
        Invalid("import pickle\nclass Client:\n    def ask(self, q):\n        self.sock.send(pickle.dumps(q))\n"
                "    def receive(self):\n        self._buf = self.sock.recv(4096)\n"
                "    def answer(self):\n        return pickle.loads(self._buf)\n", line=8),
    ]
    VALID = [
        "import json\nwith open('m.json') as f:\n    cfg = json.load(f)\n",
        # Read back with the keys the module's own dump stores: its own format.
        ("import pickle\ndef save(vocab, index, path):\n    with open(path, 'wb') as f:\n"
         "        pickle.dump({'vocab': vocab, 'index': index}, f)\n"
         "def load(path):\n    with open(path, 'rb') as f:\n        data = pickle.load(f)\n"
         "    return data['vocab'], data['index']\n"),
        "import pickle\nwith open('m.pkl', 'wb') as f:\n    pickle.dump(model, f)\n",
        "def load(path):\n    return open(path).read()\nx = load('a.txt')\n",
        "self.model.load('weights.bin')\n",
        "import pandas as pd\ndf = pd.read_parquet('features.parquet')\n",
        "import pickle\ncopy = pickle.loads(pickle.dumps(obj))\n",
        "import cloudpickle\ndef f(x):\n    blob = cloudpickle.dumps(x)\n    return cloudpickle.loads(blob)\n",
        # Bytes another rank of the same job broadcast into a tensor (or gathered into a list).
        "import pickle, torch\ndef recv(src, group):\n    buf = torch.empty(n, dtype=torch.int8)\n"
        "    torch.distributed.broadcast(buf, src, group)\n    data = buf.cpu().numpy().tobytes()\n"
        "    return pickle.loads(data)\n",
        "import pickle\nimport torch.distributed as dist\ndef gather(out, t):\n    dist.all_gather(out, t)\n"
        "    for o in out:\n        yield pickle.loads(bytes(o.cpu().numpy()))\n",
        # A list that pickles its items into one buffer of its own and unpickles them on access.
        "import pickle, numpy as np\nclass Packed:\n    def __init__(self, items):\n"
        "        def ser(x):\n            return np.frombuffer(pickle.dumps(x), dtype=np.uint8)\n"
        "        self._buf = [ser(x) for x in items]\n        self._buf = np.concatenate(self._buf)\n"
        "    def __getitem__(self, i):\n        view = memoryview(self._buf[i:i + 4])\n        return pickle.loads(view)\n",
        Valid("import pickle\nwith open(p, 'rb') as f:\n    obj = pickle.load(f)\n", path="tests/test_io.py"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._collectives = frozenset(load_table("deserialization")["in_process_sources"])
        #: Names that hold bytes made in this process in the current function: the result of
        #: a `dumps`, a tensor a collective filled, and what is derived from those.
        self._in_process: set[str] = set()
        self._classes: list[_ClassBytes] = []
        #: Names of the current function that hold bytes read from a `self.<attribute>`.
        self._from_attribute: dict[str, str] = {}
        #: The enclosing classes and defs, innermost last: ("class", None) or ("def", method or None).
        self._scopes: list[tuple[str, cst.FunctionDef | None]] = []
        self._loads = UnsafeLoads(self, "deserialization")

    def _method(self) -> cst.FunctionDef | None:
        """The method of the innermost class the walk is in (defs nested in it count as it)."""
        for kind, method in reversed(self._scopes):
            if kind == "class":
                return None
            if method is not None:
                return method
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._classes.append(_ClassBytes())
        self._scopes.append(("class", None))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()
        frame = self._classes.pop()
        for call, attribute in frame.loads:
            if not frame.assigning.get(attribute, set()) <= frame.dumping or attribute not in frame.assigning:
                self._loads.add(call)  # bytes from somewhere else: a file, a socket

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def _assigned(self, targets: list[cst.BaseExpression]) -> None:
        method = self._method()
        for target in targets:
            attribute = _self_attribute(target)
            if method is not None and attribute is not None:  # `self.x = `, `self.x[i] = `, `self.x.y = `
                self._classes[-1].assigning.setdefault(attribute, set()).add(id(method))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._assigned([node.target])

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._assigned([node.target])

    def _made_in_process(self, node: cst.BaseExpression) -> bool:
        """A `dumps(...)` call, or an expression rooted at an in-process name
        (`tensor.cpu().numpy().tobytes()`, `buf[:size]`, `bytes(buf)`)."""
        if isinstance(node, cst.Call):
            name = self.ctx.qualname(node.func) or ""
            if name.endswith(".dumps"):
                return True
            if name in _BYTE_VIEWS and node.args:
                return self._made_in_process(node.args[0].value)
        root = _root_name(node)
        return root is not None and root in self._in_process

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._in_process.clear()
        self._from_attribute.clear()
        self._scopes.append(("def", node if self._scopes and self._scopes[-1][0] == "class" else None))

    def visit_Assign(self, node: cst.Assign) -> None:
        self._assigned([t.target for t in node.targets])
        names = {t.target.value for t in node.targets if isinstance(t.target, cst.Name)}
        attribute = _self_attribute(node.value)
        for name in names:
            if attribute is not None:
                self._from_attribute[name] = attribute  # `buf = memoryview(self._buf[a:b])`
            else:
                self._from_attribute.pop(name, None)
        if self._made_in_process(node.value):
            self._in_process |= names
        else:
            self._in_process -= names  # rebound to something else (a file's bytes)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name) and self._made_in_process(node.iter):
            self._in_process.add(node.target.value)  # each tensor of an `all_gather` list

    def visit_Call(self, node: cst.Call) -> None:
        method = self._method()
        if method is not None and (self.ctx.qualname(node.func) or "").endswith(".dumps"):
            self._classes[-1].dumping.add(id(method))
        if self.ctx.qualname(node.func) in self._collectives:
            filled = _root_name(node.args[0].value) if node.args else None
            if filled is not None:
                self._in_process.add(filled)
            return
        if node.args and self._made_in_process(node.args[0].value):
            return  # bytes of this job (a round trip, another rank's broadcast), not a file from elsewhere
        source = node.args[0].value if node.args and method is not None else None
        attribute = None
        if source is not None:
            attribute = _self_attribute(source) or self._from_attribute.get(_root_name(source) or "")
        if attribute is not None:
            self._classes[-1].loads.append((node, attribute))  # decided when the class is over
        else:
            self._loads.add(node)

    def leave_Module(self, node: cst.Module) -> None:
        self._loads.report()


#: Builtins that view bytes without changing where they came from.
_BYTE_VIEWS = frozenset({"bytes", "bytearray", "memoryview"})


@dataclass
class _ClassBytes:
    """What a class does with bytes of its own: the methods that pickle something (`dumps`, in
    them or in defs nested in them), the methods that assign each `self.<attribute>`, and the
    loads of bytes read from a `self.<attribute>`. A load reads the class's own in-memory
    pickles when every method assigning that attribute pickles (detectron2's serialized
    dataset list); the class is known only when it is over."""

    dumping: set[int] = field(default_factory=set)
    assigning: dict[str, set[int]] = field(default_factory=dict)
    loads: list[tuple[cst.Call, str]] = field(default_factory=list)


def _self_attribute(node: cst.BaseExpression) -> str | None:
    """`_buf` for an expression read from `self._buf` (`memoryview(self._buf[a:b].numpy())`)."""
    while True:
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                return node.attr.value
            node = node.value
        elif isinstance(node, cst.Call):
            byte_view = isinstance(node.func, cst.Name) and node.func.value in _BYTE_VIEWS and node.args
            node = node.args[0].value if byte_view else node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return None


def _root_name(node: cst.BaseExpression) -> str | None:
    """The name an attribute/call/subscript chain starts from: `t` for `t.cpu().numpy()[:n]`."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        else:
            return None
