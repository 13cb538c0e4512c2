import re
from dataclasses import dataclass, field

import libcst as cst

from mldebt.extract.context import call_argument
from mldebt.extract.walk import nodes
from mldebt.knowledge import load_table
from mldebt.project.demos import DEMO_EXAMPLE, DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid, notebook


_REQUESTS = frozenset({"requests.get", "httpx.get", "urllib.request.urlopen", "urllib2.urlopen"})
#: What reads a response's body (`urlopen(...).read()` included).
_BODY = frozenset({"content", "text", "raw", "iter_content", "read"})
#: A name containing one of these (lowercased) is taken as a checksum being computed or checked.
_CHECKSUM_WORDS = re.compile("checksum|sha256|md5|hash|sha1")
#: The node types `_holds_body` looks at.
_SEARCHED = ("Name", "Attribute")


@dataclass
class _Requests:
    """HTTP requests of one scope, the names holding a response or its body, and whether a
    body is written to a file."""

    calls: list[cst.Call] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    body_names: set[str] = field(default_factory=set)
    written: bool = False


class UnverifiedDownload(PythonRule):
    """Downloads a file (dataset, weights) with no checksum verified in the same function.

    ## Why it matters
    A URL is not a version: the server can replace the file, a mirror can serve another one,
    a transfer can truncate it. Comparing a SHA-256 (or MD5) with a known value right after
    the download is what makes the input reproducible.

    ## Known limitations
    A checksum is recognised by a `hashlib` call, a `hash_prefix=`/`md5=`/`sha256=` argument,
    or a name containing `checksum`, `sha256`, `md5` or `hash` in the same function (or module,
    for top-level code). The download calls are in `rules/knowledge/data_sources.yaml`; an HTTP
    request (`requests.get`, `httpx.get`, `urlopen`) counts as a download when the same
    function writes its body (`.content`, `.text`, `.raw`, `.iter_content()`, `.read()`) to a
    file: the body, or a name bound to it (`for chunk in r.iter_content(): f.write(chunk)`), is
    what a `write` is given. A request whose answer is kept in memory (a cloud metadata server's
    zone name, an API's JSON) downloads nothing, whatever else the function writes.
    Not reported in demo code (a notebook nothing runs, a library's examples and tutorials): a
    lesson downloads its sample data, and a checksum there would be noise even as a note.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3 (unstable data dependencies)
    - torchvision `download_url(..., md5=...)`, `torch.hub.download_url_to_file(..., hash_prefix=...)`
    """

    id = "MLD306"
    name = "unverified-download"
    category = Category.UNVERSIONED_DATA
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    in_demos = {DEMO_NOTEBOOK: None, DEMO_EXAMPLE: None}
    INVALID = [
        Invalid("import urllib.request\ndef fetch(url, dst):\n    urllib.request.urlretrieve(url, dst)\n", line=3,
                message="`urllib.request.urlretrieve`"),
        Invalid("import wget\nwget.download('https://example.org/data.zip', 'data.zip')\n", line=2),
        # A notebook a CI job runs (`pytest --nbmake notebooks`), and an application's examples.
        Invalid(notebook("import wget\nwget.download('https://example.org/data.zip', 'data.zip')\n"),
                path="notebooks/prepare.ipynb", files={".github/workflows/nb.yml": "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest --nbmake notebooks\n"}),
        Invalid("import wget\nwget.download('https://example.org/data.zip', 'data.zip')\n", path="examples/prepare.py"),
        Invalid("import requests\nwith open('input.txt', 'w') as f:\n    f.write(requests.get(data_url).text)\n",
                line=3, message="`requests.get`"),
        Invalid("import requests\ndef fetch(url, path):\n    resp = requests.get(url, stream=True)\n"
                "    with open(path, 'wb') as handle:\n        for data in resp.iter_content():\n"
                "            handle.write(data)\n", line=3),
        Invalid("import requests\nfrom tqdm import tqdm\nresp = requests.get(url, stream=True)\n"
                "with open(save_path, 'wb') as handle:\n    for data in tqdm(resp.iter_content(), total=n):\n"
                "        handle.write(data)\n", line=3),
        Invalid("import urllib.request\ndef fetch(source, filename):\n    response = urllib.request.urlopen(source)\n"
                "    body = response.read()\n    with open(filename, 'wb') as f:\n        f.write(body)\n", line=3),
    ]
    VALID = [
        "import hashlib, urllib.request\ndef fetch(url, dst, sha):\n    urllib.request.urlretrieve(url, dst)\n"
        "    assert hashlib.sha256(open(dst, 'rb').read()).hexdigest() == sha\n",
        "import torch\ntorch.hub.download_url_to_file(url, dst, hash_prefix='a1b2c3')\n",
        # A lesson's notebook, and a tutorial of a library shipped from `lib/`: demo code.
        Valid(notebook("import wget\nwget.download('https://example.org/data.zip', 'data.zip')\n"), path="lesson.ipynb"),
        Valid("import wget\nwget.download('https://example.org/data.zip', 'data.zip')\n", path="tutorials/prepare.py",
              files={"setup.py": "from setuptools import setup\nsetup(name='lib', packages=['lib'])\n", "lib/__init__.py": ""}),
        "import urllib.request\ndef fetch(url, dst):\n    urllib.request.urlretrieve(url, dst)\n    verify_checksum(dst)\n",
        "import requests\nr = requests.get(api, params=query)\n",
        "import requests\ndef status(url):\n    r = requests.get(url)\n    log.write(f'{url}: {r.status_code}')\n",
        # A cloud metadata server's answer kept in memory; the file written is something else.
        "import requests\ndef main():\n    zone = requests.get(METADATA + 'zone', headers=flavor).text\n"
        "    with open('deploy.yaml', 'w') as target:\n        target.write(template.replace('$NS', ns))\n",
        # An image fetched into memory and decoded, never written: an input, not a download.
        "import requests\nfrom PIL import Image\ndef load_image(url):\n    response = requests.get(url, stream=True)\n"
        "    response.raise_for_status()\n    return Image.open(response.raw)\n",
        "import io, requests\nfrom PIL import Image\ndef thumb(url, out):\n    r = requests.get(url)\n"
        "    image = Image.open(io.BytesIO(r.content))\n    image.save(out)\n",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        table = load_table("data_sources")["downloads"]
        self._downloads, self._hash_arguments = set(table["calls"]), set(table["hash_arguments"])
        #: Per scope (module, then each enclosing function): (download calls, checksum seen).
        self._scopes: list[tuple[list[cst.Call], list[bool]]] = [([], [False])]
        self._requests: list[_Requests] = [_Requests()]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(([], [False]))
        self._requests.append(_Requests())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._flush(self._scopes.pop(), self._requests.pop())

    def leave_Module(self, node: cst.Module) -> None:
        self._flush(self._scopes.pop(), self._requests.pop())

    def visit_Name(self, node: cst.Name) -> None:
        verified = self._scopes[-1][1]
        if not verified[0] and _CHECKSUM_WORDS.search(node.value.lower()):  # every name of the file
            verified[0] = True

    def visit_Assign(self, node: cst.Assign) -> None:
        requests = self._requests[-1]
        if isinstance(node.value, cst.Call) and self.ctx.qualname(node.value.func) in _REQUESTS:
            requests.names.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
        elif self._holds_body(node.value):
            requests.body_names.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name) and self._holds_body(node.iter):
            self._requests[-1].body_names.add(node.target.value)

    def _holds_body(self, node: cst.CSTNode) -> bool:
        """Whether an expression reads a response's body (`response.content`,
        `requests.get(url).text`, `r.iter_content()`) or names a value bound to one.
        (Names and attributes only, through `walk.nodes`: libcst's `children` rebuilds every
        node it lists, and every assigned value is searched.)"""
        requests = self._requests[-1]
        for current in nodes(node, _SEARCHED):
            if current.__class__ is cst.Name:
                if current.value in requests.body_names:
                    return True
            elif current.attr.value in _BODY:
                value = current.value
                if (isinstance(value, cst.Name) and value.value in requests.names) or (
                    isinstance(value, cst.Call) and self.ctx.qualname(value.func) in _REQUESTS
                ):
                    return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func) or ""
        if (isinstance(node.func, cst.Attribute) and node.func.attr.value in ("write", "writelines") or (
            name == "shutil.copyfileobj"
        )) and any(self._holds_body(arg.value) for arg in node.args):
            self._requests[-1].written = True
        if name in _REQUESTS:
            self._requests[-1].calls.append(node)
        if name.startswith("hashlib."):
            self._scopes[-1][1][0] = True
        elif name in self._downloads:
            if any(call_argument(node, keyword) is not None for keyword in self._hash_arguments):
                return
            self._scopes[-1][0].append(node)

    def _flush(self, scope: tuple[list[cst.Call], list[bool]], requests: _Requests) -> None:
        calls, verified = scope
        if verified[0]:
            return
        if requests.written:
            calls = [*calls, *requests.calls]
        for call in calls:
            name = self.ctx.qualname(call.func)
            self.report(call, f"`{name}` downloads a file and nothing in this function checks its checksum",
                        "compare a SHA-256 of the file with a known value right after the download")

