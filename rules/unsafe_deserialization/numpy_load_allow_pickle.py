import libcst as cst

from mldebt.extract.own_files import UnsafeLoads
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity


class NumpyLoadAllowPickle(PythonRule):
    """Loads a NumPy file with `allow_pickle=True`.

    ## Why it matters
    Object arrays in `.npy`/`.npz` files are stored as pickles; `allow_pickle=True` unpickles
    them and so runs whatever the file contains. NumPy turned the default off in 1.16.3 for
    this reason (CVE-2019-6446).

    ## Known limitations
    A value computed at run time (`allow_pickle=flag`) is not reported. A file the module
    itself saves at the same path (`np.save(idx_file, ...)` then `np.load(idx_file, ...)`: an
    index it builds beside the data) is not reported, as in MLD401, nor one another script of
    the repository saves there or the repository commits.

    ## References
    - NumPy docs, `numpy.load` (allow_pickle)
    - CVE-2019-6446, CWE-502
    """

    id = "MLD403"
    name = "numpy-load-allow-pickle"
    category = Category.UNSAFE_DESERIALIZATION
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    in_tests = False
    reports_own_files = False
    INVALID = [
        Invalid("import numpy as np\nx = np.load('feats.npy', allow_pickle=True)\n", line=2),
        Invalid("import numpy\nx = numpy.load('feats.npz', None, True)\n"),
        Invalid("from numpy import load\nx = load(path, allow_pickle=True)\n"),
    ]
    VALID = [
        "import numpy as np\nx = np.load('feats.npy')\n",
        "import numpy as np\nx = np.load('feats.npy', allow_pickle=False)\n",
        "import numpy as np\nx = np.load(path, allow_pickle=args.allow_pickle)\n",
        "import numpy as np\nnp.save('feats.npy', x)\n",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._loads = UnsafeLoads(self, "deserialization")

    def visit_Call(self, node: cst.Call) -> None:
        self._loads.add(node)

    def leave_Module(self, node: cst.Module) -> None:
        self._loads.report()
