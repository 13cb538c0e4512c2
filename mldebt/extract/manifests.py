"""Read manifests into facts: requirements, package indexes, images, CUDA versions, lock pins.

Every fact carries the line it came from, so that findings on manifests point at the exact
line and `# mldebt: ignore[...]` works there. Requirement strings are parsed with `packaging`,
never with regexes; conda specs, Dockerfile instructions and CI images have their own small
grammars here.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
import shlex
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import yaml
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PepRequirement
from packaging.utils import canonicalize_name

from mldebt.discover import FileKind
from mldebt.extract import yaml_bounded
from mldebt.extract.facts import (
    CiCommand,
    ConfigKey,
    CudaVersion,
    DeclaredEntryPoint,
    EvidenceSite,
    Facts,
    Image,
    IndexUrl,
    NotebookInstall,
    PipelineStage,
    Requirement,
    RequirementFile,
)
from mldebt.extract.shell import command_parts, join_path
from mldebt.extract.sources import NOT_PYTHON, TextSource, load_json
from mldebt.knowledge import detectors

# --- CUDA versions ---------------------------------------------------------------------------

_CU_TAG = re.compile(r"\bcu(\d{2,3})\b")  # cu121 -> 12.1, cu118 -> 11.8, cu92 -> 9.2


def cuda_from_cu_tag(tag: str) -> str | None:
    match = _CU_TAG.search(tag)
    if not match:
        return None
    digits = match.group(1)
    return f"{digits[:-1]}.{digits[-1]}"


def major_minor(version: str) -> str:
    parts = version.split(".")
    return ".".join(parts[:2])


def _image_cuda(name: str, tag: str | None) -> str | None:
    """The CUDA version an image tag names: nvidia/cuda:12.1.0-..., pytorch/pytorch:...-cuda12.1-..."""
    if not tag:
        return None
    if name.endswith("nvidia/cuda") or name.endswith("/cuda"):
        match = re.match(r"(\d+\.\d+)", tag)
        return match.group(1) if match else None
    match = re.search(r"cuda(\d+\.\d+)", tag)
    return match.group(1) if match else None


# --- requirements ----------------------------------------------------------------------------


def pip_requirement(text: str, line: int) -> Requirement | None:
    """A PEP 508 requirement string, or None for what is not one (URLs, paths, options)."""
    text = text.strip().strip("'\"")
    if not text or text.startswith(("-", ".", "/", "git+", "http:", "https:", "file:")):
        return None
    try:
        parsed = PepRequirement(text)
    except InvalidRequirement:
        return None
    if parsed.url:  # `name @ git+https://...@rev`: pinned by its URL, not by a version
        return Requirement(canonicalize_name(parsed.name), "", line, "pip", text=text, url=parsed.url)
    local = None
    for spec in parsed.specifier:
        if "+" in spec.version:
            local = spec.version.split("+", 1)[1]
    return Requirement(
        name=canonicalize_name(parsed.name),
        specifier=str(parsed.specifier),
        line=line,
        source="pip",
        extras=tuple(sorted(parsed.extras)),
        local_version=local,
        text=text,
    )


_CONDA_SPEC = re.compile(r"^(?:[\w.-]+::)?([A-Za-z0-9_.-]+)\s*(==|=|>=|<=|>|<|!=|~=)?\s*([^\s=]*)")


def conda_requirement(text: str, line: int) -> Requirement | None:
    """A conda match spec (`pytorch=2.1.0`, `pytorch-cuda=12.1`, `conda-forge::numpy>=1.24`)."""
    match = _CONDA_SPEC.match(text.strip())
    if not match:
        return None
    name, operator, version = match.groups()
    specifier = ""
    if version:
        operator = "==" if operator in (None, "=", "==") else operator
        specifier = f"{operator}{version}" + (".*" if operator == "==" and match.group(2) == "=" else "")
    return Requirement(name=name.lower(), specifier=specifier, line=line, source="conda", text=text.strip())


def _requirement_facts(facts: Facts, requirement: Requirement | None) -> None:
    if requirement is None:
        return
    facts.requirements.append(requirement)
    cuda = None
    if requirement.local_version:
        cuda = cuda_from_cu_tag(requirement.local_version)
        evidence, kind = f"{requirement.name} +{requirement.local_version}", "variant"
    elif requirement.source == "conda" and requirement.name in _CONDA_CUDA_PACKAGES and requirement.specifier:
        version = requirement.specifier.lstrip("=<>!~").rstrip(".*")
        cuda = major_minor(version) if re.match(r"\d+(\.\d+)?", version) else None
        evidence = f"conda {requirement.name}"
        kind = "conda-variant" if requirement.name == "pytorch-cuda" else "conda"
    else:
        kind = "wheels"
        majors = {m for extra in requirement.extras for m in re.findall(r"^cuda(\d+)", extra)}
        majors |= set(re.findall(r"-cu(\d+)(?:-|$)", requirement.name))
        if len(majors) == 1:
            cuda = majors.pop()
            evidence = f"{requirement.name}{'[' + ','.join(requirement.extras) + ']' if requirement.extras else ''}"
    if cuda:
        facts.cuda_versions.append(CudaVersion(cuda, requirement.line, evidence, kind))


_CONDA_CUDA_PACKAGES = {"pytorch-cuda", "cudatoolkit", "cuda-version", "cuda-toolkit", "cuda"}


def _index(facts: Facts, url: str, line: int) -> None:
    facts.indexes.append(IndexUrl(url, line))
    cuda = cuda_from_cu_tag(url.replace("/", " "))
    if cuda:
        facts.cuda_versions.append(CudaVersion(cuda, line, f"index {url}", "variant"))


def _logical_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(first physical line, text) with `\\` continuations joined and `#` comments dropped."""
    buffer, start = "", 0
    for number, raw in enumerate(lines, start=1):
        text = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not buffer:
            start = number
        if text.endswith("\\"):
            buffer += text[:-1] + " "
            continue
        yield start, buffer + text
        buffer = ""
    if buffer:
        yield start, buffer


_INDEX_OPTIONS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links"}


#: Options that name another requirements or constraints file.
_FILE_OPTIONS = frozenset({"-r", "--requirement", "-c", "--constraint"})
#: Other options whose value is the next word (`--no-binary flash-attn`, `--target dir`,
#: conda's `-n env`): it is no requirement.
_VALUED_OPTIONS = frozenset({
    "-e", "--editable", "-t", "--target", "--prefix", "--root", "--src", "--no-binary", "--only-binary",
    "--platform", "--python-version", "--implementation", "--abi", "--global-option", "--install-option",
    "-C", "--config-settings", "--trusted-host", "--upgrade-strategy", "--progress-bar", "--cache-dir",
    "--log", "--timeout", "--retries", "--proxy", "--cert", "--client-cert", "--exists-action", "--report",
    "--python", "-n", "--name", "-p",
})


def _pip_arguments(facts: Facts, tokens: list[str], line: int, conda: bool = False) -> None:
    """The requirements and index options in the arguments of `pip install` / `conda install`."""
    skip_next = False
    for i, token in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        option, _, value = token.partition("=")
        if option in _INDEX_OPTIONS or option in ("-c", "--channel") and conda:
            url = value or (tokens[i + 1] if i + 1 < len(tokens) else "")
            skip_next = not value
            if option not in ("-c", "--channel"):
                _index(facts, url, line)
            continue
        cluster = re.fullmatch(r"-[a-zA-Z]+[rc]", token)  # `-qr requirements.txt`
        if option in ("-r", "--requirement", "-c", "--constraint") or cluster:
            named = value or (tokens[i + 1] if i + 1 < len(tokens) else "")
            skip_next = not value
            reads = option in ("-r", "--requirement") or bool(cluster and token.endswith("r"))
            (facts.installs if reads else facts.constraints).append(named)
            if reads:
                facts.requirement_files.append(RequirementFile(named, line, _replaces_installed(tokens)))
            continue
        if token in _VALUED_OPTIONS or re.fullmatch(r"-[a-zA-Z]+e", token):
            skip_next = True
            continue
        if token.startswith("-"):
            continue
        _requirement_facts(facts, conda_requirement(token, line) if conda else pip_requirement(token, line))


#: Install options that replace a package already installed even when it satisfies the request.
_REPLACING = frozenset({"-U", "--upgrade", "--force-reinstall", "-I", "--ignore-installed", "--reinstall"})


def _replaces_installed(tokens: list[str]) -> bool:
    return any(t in _REPLACING or re.fullmatch(r"-[a-zA-Z]*[UI][a-zA-Z]*", t) for t in tokens)


def _requirements_file(source: TextSource, facts: Facts) -> None:
    hashed = False
    for line, text in _logical_lines(source.lines):
        if not text.strip():
            continue
        if "--hash" in text:
            hashed = True
        tokens = text.split()
        if tokens[0].split("=")[0] in _INDEX_OPTIONS | _FILE_OPTIONS:
            _pip_arguments(facts, tokens, line)
            continue
        if tokens[0].startswith("-"):
            continue
        requirement_text = re.split(r"\s+--hash", text)[0]
        _requirement_facts(facts, pip_requirement(requirement_text, line))
    if hashed:  # pip-compile --generate-hashes output: a lock file
        facts.locked += [r.name for r in facts.requirements if r.specifier.startswith("==")]


# --- TOML / setup.cfg / conda ----------------------------------------------------------------


def _line_of(lines: list[str], needle: str, start: int = 0) -> int:
    """1-based line of the first line containing `needle` (fallback: 1)."""
    for number in range(start, len(lines)):
        if needle in lines[number]:
            return number + 1
    return 1


def _poetry_specifier(constraint: object) -> str | None:
    if isinstance(constraint, dict):
        constraint = constraint.get("version")
    if not isinstance(constraint, str):
        return None
    constraint = constraint.strip()
    if constraint in ("", "*"):
        return ""
    if re.fullmatch(r"\d+(\.\d+)*", constraint):
        return f"=={constraint}"
    if constraint[0] in "^~" and re.fullmatch(r"[\^~]=?\s*\d+(\.\d+)*", constraint):
        return _poetry_range(constraint)
    return constraint


def _poetry_range(constraint: str) -> str:
    """Poetry's `^2.1` is `>=2.1,<3`, `^0.4` is `>=0.4,<0.5`, `~2.1` is `>=2.1,<2.2`: bounded."""
    version = constraint.lstrip("^~= ")
    parts = [int(p) for p in version.split(".")]
    if constraint[0] == "^":
        index = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
    else:
        index = min(1, len(parts) - 1) if len(parts) > 1 else 0
    upper = parts[: index + 1]
    upper[-1] += 1
    return f">={version},<{'.'.join(map(str, upper))}"


def _table(value: object) -> dict:
    """A TOML table, or empty when the file has something else there (`project = 5`)."""
    return value if isinstance(value, dict) else {}


def _array(value: object) -> list:
    return value if isinstance(value, list) else []


def _pyproject(source: TextSource, facts: Facts) -> None:
    try:
        document = tomllib.loads(source.text)
    except (ValueError, RecursionError):  # invalid TOML, an integer over 4,300 digits, nesting
        return
    lines = source.lines
    project = _table(document.get("project"))
    for name, target in _table(project.get("scripts")).items():
        if isinstance(target, str) and ":" in target:  # `train = "pkg.cli:main"`
            facts.declared_entry_points.append(DeclaredEntryPoint("console-script", target, _line_of(lines, target)))
    strings: list = list(_array(project.get("dependencies")))
    for group in _table(project.get("optional-dependencies")).values():
        strings += _array(group)
    for group in _table(document.get("dependency-groups")).values():
        strings += _array(group)
    for text in strings:
        if isinstance(text, str):
            _requirement_facts(facts, pip_requirement(text, _line_of(lines, text)))
    tool = _table(document.get("tool"))
    poetry = _table(tool.get("poetry"))
    tables = [_table(poetry.get("dependencies"))]
    tables += [_table(_table(g).get("dependencies")) for g in _table(poetry.get("group")).values()]
    for table in tables:
        for name, constraint in table.items():
            specifier = _poetry_specifier(constraint)
            if name == "python" or specifier is None:
                continue
            line = _line_of(lines, f"{name} =") if any(f"{name} =" in x for x in lines) else _line_of(lines, name)
            _requirement_facts(facts, pip_requirement(f"{name}{specifier}", line))
    for index in _array(_table(tool.get("uv")).get("index")):
        if isinstance(index, dict) and isinstance(index.get("url"), str):
            _index(facts, index["url"], _line_of(lines, index["url"]))


def _setup_cfg(source: TextSource, facts: Facts) -> None:
    """`install_requires` under `[options]` and every key of `[options.extras_require]`."""
    section, key = "", ""
    for number, raw in enumerate(source.lines, start=1):
        text = raw.strip()
        if not text or text.startswith(("#", ";")):
            continue
        if text.startswith("["):
            section, key = text, ""
            continue
        if not raw[0].isspace():  # `key = value` starts a new key
            key, _, text = (part.strip() for part in text.partition("="))
            if not text:
                continue
        if (section, key) == ("[options]", "install_requires") or section == "[options.extras_require]":
            _requirement_facts(facts, pip_requirement(text, number))


def _conda_environment(source: TextSource, facts: Facts) -> None:
    try:
        document = yaml_bounded.safe_load(source.text)
    except yaml.YAMLError:
        return
    if not isinstance(document, dict):
        return
    lines = source.lines
    cursor = 0
    for entry in document.get("dependencies") or []:
        if isinstance(entry, str):
            cursor = _line_of(lines, entry, cursor) - 1
            _requirement_facts(facts, conda_requirement(entry, cursor + 1))
        elif isinstance(entry, dict):
            for text in entry.get("pip") or []:
                if not isinstance(text, str):
                    continue
                cursor = _line_of(lines, text, cursor) - 1
                if text.startswith("-"):
                    _pip_arguments(facts, text.split(), cursor + 1)
                else:
                    _requirement_facts(facts, pip_requirement(text, cursor + 1))


# --- Dockerfiles and CI ----------------------------------------------------------------------

_IMAGE = re.compile(r"^(?P<name>[^\s:@]+(?::\d+/[^\s:@]+)?)(?::(?P<tag>[^\s@]+))?(?:@(?P<digest>\S+))?$")


def image_reference(reference: str, line: int) -> Image | None:
    match = _IMAGE.match(reference.strip().strip("'\""))
    if not match or "$" in reference:
        return None
    return Image(reference.strip().strip("'\""), match["name"], match["tag"], match["digest"], line)


def _image_facts(facts: Facts, image: Image | None) -> None:
    if image is None:
        return
    facts.images.append(image)
    cuda = _image_cuda(image.name, image.tag)
    if cuda:
        facts.cuda_versions.append(CudaVersion(cuda, image.line, f"{image.name}:{image.tag} image"))


#: A `$(...)` command substitution (one level of parentheses inside): its `;` separates nothing,
#: and what it prints is unknown: it stands for an option (`--subshell`), never a package.
_SUBSHELL = re.compile(r"\$\((?:[^()]|\([^()]*\))*\)")


def _install_commands(facts: Facts, text: str, line: int) -> None:
    """`pip install ...` and `conda|mamba install ...` inside a shell command line."""
    text = _SUBSHELL.sub("--subshell", text)  # `--prefix "$(python -c 'import sys; print(sys.prefix)')"`
    for command in re.split(r"&&|;|\|\|", text):
        try:
            tokens = shlex.split(command)
        except ValueError:
            tokens = command.split()
        for i, token in enumerate(tokens):
            if token == "install" and i > 0:
                tool = tokens[i - 1].rsplit("/", 1)[-1]
                if tool in ("pip", "pip3") or tool == "-m" and i > 1 and tokens[i - 2].startswith("pip"):
                    _pip_arguments(facts, tokens[i + 1 :], line)
                elif tool in ("conda", "mamba", "micromamba"):
                    _pip_arguments(facts, tokens[i + 1 :], line, conda=True)
                break


#: A notebook's shell or magic line, as the virtual module neutralises it (`pass  # !pip ...`).
_NEUTRALISED_MAGIC = re.compile(r"^\s*(?:pass|None)\s+#\s*[!%]+\s*(?P<command>.*)$")


def notebook_shell_commands(lines: list[str]) -> Iterator[tuple[int, str]]:
    """The shell commands of a notebook (`!cmd`, `%pip ...`) with their 1-based virtual line,
    read from its virtual module's lines, `\\` continuations joined."""
    index = 0
    while index < len(lines):
        match = _NEUTRALISED_MAGIC.match(lines[index])
        index += 1
        if not match:
            continue
        number, command = index, re.sub(r"\s#.*$", "", match["command"])
        while command.rstrip().endswith("\\") and index < len(lines) and lines[index].startswith(NOT_PYTHON):
            command = command.rstrip()[:-1] + " " + lines[index][len(NOT_PYTHON):]
            index += 1
        yield number, command


#: A quoted file name, or a quoted path's last part, with an extension (`'out/train_samples.pkl'`).
_QUOTED_FILE = re.compile(r"""["'](?:[^"'\s]*/)?([\w.-]+\.\w{1,10})["']""")


def unparsed_file_names(lines: list[str]) -> list[str]:
    """The file names quoted in a notebook's lines mldebt does not read as Python (a cell that
    does not parse, a cell magic's body), sorted: what that code may write or read."""
    return sorted({name for line in lines if line.startswith(NOT_PYTHON) for name in _QUOTED_FILE.findall(line)})


def notebook_installs(lines: list[str]) -> list[NotebookInstall]:
    """The packages a notebook installs (`!pip install`, `%pip install`, `%conda install`).
    Both magics hand the line to a shell, so it is split as the shell splits it: an unquoted
    `pkg>=1.2` installs `pkg` and writes pip's output to a file `=1.2`."""
    installs: list[NotebookInstall] = []
    for number, command in notebook_shell_commands(lines):
        if command.startswith(("install ", "pip ", "pip3 ", "python", "uv ", "conda ", "mamba ")):
            found = _shell_installs("pip " + command if command.startswith("install ") else command, number)
            checked = _version_checks(lines, number - 1)
            installs += [dataclasses.replace(i, version_checked=checked) for i in found] if checked else found
    return installs


#: The options of `wget`/`curl` that name the file a download is written to, and those that
#: name the folder it goes into (under the URL's last segment).
_OUTPUT_FILE_OPTIONS = {"wget": ("-O", "--output-document"), "curl": ("-o", "--output")}
_OUTPUT_FOLDER_OPTIONS = {"wget": ("-P", "--directory-prefix"), "curl": ("--output-dir",)}


def notebook_downloads(lines: list[str]) -> list[tuple[int, str]]:
    """The files a notebook's `!wget URL`, `!wget -O name URL` or `!curl -o name URL` lines
    write (line, path as written): what a sibling script may then read."""
    return command_downloads(notebook_shell_commands(lines))


def _url_file_name(url: str) -> str:
    """The file name a URL's path ends with; '' for a URL that does not parse (`http://[x`)."""
    try:
        return posixpath.basename(urlsplit(url).path)
    except ValueError:
        return ""


def command_downloads(commands: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """The files `wget URL`, `wget -O name URL` or `curl -o name URL` commands write (line,
    path as written)."""
    downloads = []
    for number, command in commands:
        try:
            words = shlex.split(command)
        except ValueError:  # unbalanced quotes: read it as written
            words = command.split()
        if not words or words[0] not in _OUTPUT_FILE_OPTIONS:
            continue
        tool, urls, named, folder = words[0], [], None, ""
        options = iter(words[1:])
        for word in options:
            option, _, attached = word.partition("=")
            if option in _OUTPUT_FILE_OPTIONS[tool]:
                named = attached or next(options, None)
            elif option in _OUTPUT_FOLDER_OPTIONS[tool]:
                folder = attached or next(options, "")
            elif re.match(r"(https?|ftp)://", word):
                urls.append(word)
        if named and named != "-":
            downloads.append((number, named))
        elif urls and (tool == "wget" or any(w in ("-O", "--remote-name") for w in words)):
            name = _url_file_name(urls[0])
            if name:
                downloads.append((number, posixpath.join(folder, name)))
    return downloads


_VERSION_READ = re.compile(r"\b([A-Za-z_]\w*)(?:\.\w+)*\.__version__")


def _version_checks(lines: list[str], index: int) -> tuple[str, ...]:
    """Modules whose `__version__` the block enclosing line `index` tests: the condition of
    an `if`/`elif`, or, for an `except`/`else`, the `try`/`if` it belongs to, body included."""
    indent = len(lines[index]) - len(lines[index].lstrip())
    header = next((i for i in range(index - 1, -1, -1) if lines[i].strip()
                   and len(lines[i]) - len(lines[i].lstrip()) < indent), None)
    if header is None:
        return ()
    text = lines[header].strip()
    if text.startswith(("except", "else")):
        level = len(lines[header]) - len(lines[header].lstrip())
        start = next((i for i in range(header - 1, -1, -1) if lines[i].strip()
                      and len(lines[i]) - len(lines[i].lstrip()) == level
                      and lines[i].lstrip().startswith(("try:", "if "))), header)
        text = "\n".join(lines[start:header])
    elif not text.startswith(("if ", "elif ")):
        return ()
    # `pt_version = torch.__version__` above, then `if pt_version.split(".")[0] == "1":`
    aliases = {m[1]: m[2] for line in lines[:header] if (m := _VERSION_ALIAS.match(line))}
    named = {aliases[word] for word in re.findall(r"\b\w+\b", text) if word in aliases}
    return tuple(sorted(set(_VERSION_READ.findall(text)) | named))


_VERSION_ALIAS = re.compile(r"^\s*(\w+)\s*=\s*([A-Za-z_]\w*)(?:\.\w+)*\.__version__\b")


_SHELL_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_SHELL_REDIRECTS = frozenset({">", ">>", "<", "<<", "<<<", ">&", "<&", "&>", "&>>", ">|"})
_VCS_URL = re.compile(r"^(?:git|hg|svn|bzr)\+")
#: The target of a redirect that was a version bound (`pkg>=1.2` is `pkg` `>` `=1.2`), not a
#: file the output was meant for (`pkg > /dev/null 2>&1`, `> install.log`).
_SWALLOWED_VERSION = re.compile(r"^[=<>!~]*\d[\w.*+!-]*,?$")


def _shell_installs(command: str, line: int) -> list[NotebookInstall]:
    """The installs of one shell command line, its redirects taken out as the shell does."""
    command = _SUBSHELL.sub("--subshell", command)  # `$(cat requirements.in)` names no package
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split, lexer.commenters = True, ""
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: read it as written
        tokens = command.split()
    words: list[str] = []
    redirected: dict[str, str] = {}
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token in _SHELL_REDIRECTS:
            target = tokens[position + 1] if position + 1 < len(tokens) else ""
            if words and words[-1].isdigit():  # `2>&1`: a file descriptor, not a word
                words.pop()
            elif words and _SWALLOWED_VERSION.match(target):
                redirected[words[-1]] = token + target
            position += 2
            continue
        words.append(";" if token in _SHELL_SEPARATORS else shlex.quote(token))
        position += 1
    facts = Facts()
    _install_commands(facts, " ".join(words), line)
    prerelease = "--pre" in tokens or any("nightly" in i.url for i in facts.indexes)
    installs = [NotebookInstall(r, redirected.get(r.text, ""), prerelease) for r in facts.requirements]
    for token in tokens:
        if _VCS_URL.match(token):
            installs.append(NotebookInstall(_vcs_requirement(token, line), prerelease=prerelease))
    return installs


def _vcs_requirement(url: str, line: int) -> Requirement:
    """`git+https://host/org/peft.git@main#egg=peft[extra]`: named by its egg, else its repository."""
    egg = re.search(r"[#&]egg=([A-Za-z0-9_.-]+)", url)
    location = re.sub(r"^[^:]*://[^/@]*@", "", url.split("#")[0])  # no `git@` user part
    name = egg[1] if egg else location.split("@")[0].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return Requirement(canonicalize_name(name), "", line, "pip", text=url, url=url)


def moving_reference(url: str) -> bool:
    """A VCS URL that names no commit nor release tag (`...peft`, `...@main`, `...@$BRANCH`):
    what it installs changes with every push."""
    path = url.split("#")[0].split("://", 1)[-1]
    reference = path.rsplit("@", 1)[1] if "@" in path.split("/", 1)[-1] else ""
    return not re.fullmatch(r"[0-9a-f]{7,40}|v?\d+(\.\d+)+\w*", reference)


#: ARG/ENV names that hold a CUDA version (not `TORCH_CUDA_ARCH_LIST`, a compute capability).
_CUDA_VERSION_VARIABLE = re.compile(r"^(CUDA|CUDA_VERSION|CUDA_VER|CUDA_TOOLKIT_VERSION|NV_CUDA_CUDART_VERSION)$", re.I)


#: A home folder an image's instruction names (`/home/app/models`), and a user a `RUN` creates.
_HOME = re.compile(r"(?<![\w.~/-])/home/([A-Za-z_][\w.-]*)")
#: Each token between the command and the name parses one way only (an option `-[\w-]+` with a
#: value joined by `=` or a space-separated one without `=`; a `key=value` split at its first
#: `=`): with two ways per token, a hostile line of options took exponential time to refuse.
_NEW_USER = re.compile(
    r"\b(?:useradd|adduser)\b(?:\s+(?:-[\w-]+(?:=\S+| (?!-)[^\s=]+)?|[^\s=-][^\s=]*=\S+))*\s+([A-Za-z_][\w.-]*)"
)


def _image_homes(instruction: str, rest: str) -> set[str]:
    """The home folders an instruction gives the image's accounts (`USER app`, `useradd app`, a
    `/home/app` path it names)."""
    names = set(_HOME.findall(rest)) | set(_NEW_USER.findall(rest) if instruction == "RUN" else ())
    if instruction == "USER" and rest:
        names.add(rest.split()[0].split(":")[0])
    return {f"/home/{name}" for name in names if name not in ("root", "$USER") and not name.isdigit()}


#: A Dockerfile instruction that compiles CUDA code against the image's toolkit and the
#: installed torch: nvcc, a torch extension build, a CUDA package built from source (not
#: flash-attn from a prebuilt `.whl`).
_CUDA_COMPILE = re.compile(
    r"\bnvcc\b|TORCH_CUDA_ARCH_LIST|CUDAExtension|--no-build-isolation|\bflash[-_]attn\b(?!\S*\.whl)"
    r"|setup\.py\s+(?:build_ext|bdist_wheel|install|develop)\b"
)


class _Stage:
    """One `FROM` stage of a Dockerfile: whether its base is a `-devel` image (a stage built
    `FROM` an earlier one inherits it) and whether it compiles CUDA code (`_CUDA_COMPILE`). The
    CUDA of a stage that does both is a toolkit code is compiled against (`CudaVersion.compiled`).
    The first stage also owns the `ARG`s above the first `FROM` (`ARG CUDA_VERSION=12.6.3`), which
    name its image."""

    def __init__(self, facts: Facts, devel: bool, start: int | None = None) -> None:
        self.facts, self.devel, self.compiles = facts, devel, False
        self.start = len(facts.cuda_versions) if start is None else start

    def close(self) -> None:
        if self.devel and self.compiles:
            versions = self.facts.cuda_versions
            versions[self.start :] = [
                dataclasses.replace(c, compiled=True) if c.kind == "toolkit" else c for c in versions[self.start :]
            ]


def _dockerfile(source: TextSource, facts: Facts) -> None:
    arguments: dict[str, str] = {}
    stages: set[str] = set()
    homes: set[str] = set()
    devel_stages: set[str] = set()
    stage, preamble_closed = _Stage(facts, False), False
    logical = _logical_lines(source.lines)
    for line, text in logical:
        words = text.split()
        if not words:
            continue
        instruction = words[0].upper()
        rest = text.strip()[len(words[0]) :].strip()
        homes |= _image_homes(instruction, rest)
        stage.compiles |= instruction in ("RUN", "ENV", "ARG") and bool(_CUDA_COMPILE.search(rest))
        if instruction in ("ARG", "ENV"):
            for name, value in re.findall(r"(\w+)[= ]\s*\"?([^\s\"]+)\"?", rest):
                arguments.setdefault(name, value)
                if _CUDA_VERSION_VARIABLE.match(name) and re.match(r"\d+\.\d+", value):
                    facts.cuda_versions.append(CudaVersion(major_minor(value), line, f"{instruction} {name}"))
        elif instruction == "FROM":
            tokens = [w for w in rest.split() if not w.startswith("--")]
            if not tokens:
                continue
            reference = re.sub(r"\$\{?(\w+)\}?", lambda m: arguments.get(m.group(1), m.group(0)), tokens[0])
            stage.close()
            devel = reference.lower() in devel_stages or "devel" in reference.split("@")[0].rsplit(":", 1)[-1].lower()
            stage = _Stage(facts, devel, start=None if preamble_closed else stage.start)
            preamble_closed = True
            if len(tokens) >= 3 and tokens[1].lower() == "as":
                stages.add(tokens[2].lower())
                if devel:
                    devel_stages.add(tokens[2].lower())
            if reference.lower() in stages or reference == "scratch":
                continue
            _image_facts(facts, image_reference(reference, line))
        elif instruction == "RUN":
            heredoc = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", rest)
            if heredoc:
                delimiter = heredoc.group(1)
                for body_line, body in logical:
                    if body.strip() == delimiter:
                        break
                    stage.compiles |= bool(_CUDA_COMPILE.search(body))
                    _install_commands(facts, body, body_line)
            _install_commands(facts, _exec_form(rest), line)
    stage.close()
    facts.image_homes = sorted(homes)


def _exec_form(command: str) -> str:
    """`["pip", "install", "torch"]` (a RUN in exec form) as the shell line it runs."""
    if command.startswith("["):
        try:
            words = json.loads(command)
        except json.JSONDecodeError:
            return command
        if isinstance(words, list) and all(isinstance(w, str) for w in words):
            return " ".join(shlex.quote(w) for w in words)
    return command


_CI_IMAGE = re.compile(r"^\s*-?\s*(?:container|image)\s*:\s*['\"]?([^\s'\"#{}]+)")
#: `container: {image: nvidia/cuda:12.1.0-devel-ubuntu22.04, options: --gpus all}`
_CI_FLOW_IMAGE = re.compile(r"^\s*-?\s*container\s*:\s*\{[^}]*\bimage\s*:\s*['\"]?([^\s'\",}]+)")


def _ci_workflow(source: TextSource, facts: Facts) -> None:
    for number, raw in enumerate(source.lines, start=1):
        match = _CI_IMAGE.match(raw) or _CI_FLOW_IMAGE.match(raw)
        if match:
            _image_facts(facts, image_reference(match.group(1), number))
        if "install" in raw:
            _install_commands(facts, raw.split("run:", 1)[-1], number)
    _yaml_commands(source, facts)


def _yaml_commands(source: TextSource, facts: Facts) -> None:
    """The commands a CI workflow or a job manifest runs, its schedule and its trigger events."""
    try:
        documents = yaml_bounded.compose_all(source.text)
    except (yaml.YAMLError, RecursionError):
        return
    seen: set[int] = set()
    for document in documents:
        if document is not None:
            _ci_events(document, facts)
            _ci_jobs(document, facts, seen)


#: A Makefile variable assignment (`PYTHON := python3`); `+=` appends and is left alone.
_MAKE_ASSIGNMENT = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)\s*(?:::?=|:::=|\?=|=)\s*(.*)$")
_MAKE_REFERENCE = re.compile(r"\$[({]([A-Za-z_][\w.-]*)[)}]")


def _makefile(source: TextSource, facts: Facts) -> None:
    """A Makefile's recipe lines (tab-indented), with its own variables expanded once
    (`$(PYTHON) -m pkg.train`): the commands its targets run. Nothing is evaluated: a variable
    whose value is a function call or defined elsewhere stays as written."""
    lines = list(_logical_lines(source.lines))
    variables = {}
    for _, text in lines:
        assignment = None if text.startswith("\t") else _MAKE_ASSIGNMENT.match(text)
        if assignment:
            variables.setdefault(assignment.group(1), assignment.group(2).strip())
    for line, text in lines:
        if text.startswith("\t") and text.strip():
            command = _MAKE_REFERENCE.sub(lambda m: variables.get(m.group(1), m.group(0)), text.strip().lstrip("@-+ "))
            facts.ci_commands.append(CiCommand(" ".join(command.replace("$$", "$").split()), line))
    _script_downloads(source, facts)


#: A URL in Markdown (a link target or bare), up to the first space, quote or closing bracket.
_URL = re.compile(r"(?:https?|ftp)://[^\s)\]>\"'`]+")
#: A shell prompt or notebook magic before a command in a Markdown code block.
_PROMPT = re.compile(r"^\s*(?:\$\s+|!|%)")
#: File names a link may end with that are pages to read, not files to download.
_PAGE = re.compile(r"\.(html?|php|aspx?|jsp|md|ipynb|py)$|^[^.]*$", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(zip|tar\.gz|tgz|tar\.bz2|tar\.xz|tar|7z|rar)$", re.IGNORECASE)
#: A command whose program or sub-command downloads (`litgpt download`, `huggingface-cli
#: download`, `python download.py`, `python scripts/download_model.py`), up to its arguments.
_DOWNLOAD_COMMAND = re.compile(r"^\s*(?:python3?\s+)?(?:[\w./-]+\s+)?[\w./-]*\bdownload\w*(?:\.py)?\s+(.+)$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


def _document(source: TextSource, facts: Facts) -> None:
    document_downloads(source.path, source.lines, facts)
    told = Facts()
    for number, line in enumerate(source.lines, start=1):
        for command in line.split("`") if "install" in line else ():  # a command in prose is quoted
            _install_commands(told, _PROMPT.sub("", command), number)
    facts.documented_installs = told.installs


def document_downloads(page: str, lines: list[str], facts: Facts) -> None:
    """What Markdown (a page, or a notebook's markdown cells) tells the reader to download into
    its folder: the files its commands fetch (`wget URL`, `curl -o name URL`) and the files it
    links to. A course's homework page that says `wget .../housing.csv` is where the notebook
    beside it gets it."""
    folder = posixpath.dirname(page)
    commands = [(n, _PROMPT.sub("", line)) for n, line in enumerate(lines, start=1)]
    fetched = command_downloads(commands)
    names = [path for _, path in fetched]
    on_command_lines = {n for n, _ in fetched}  # their URLs' names are not what `-O` saves
    for number, line in enumerate(lines, start=1):
        names += [name for url in _URL.findall(line) if number not in on_command_lines
                  and (name := _url_file_name(url)) and not _PAGE.search(name)]
    _add_fetched(facts, (join_path(folder, name) for name in names if not name.startswith(("/", "~"))))
    for _, command in commands:
        if download := _DOWNLOAD_COMMAND.match(command):
            facts.fetched_repositories += [w for w in download.group(1).split() if _REPOSITORY.match(w)]


def _add_fetched(facts: Facts, paths: Iterable[str]) -> None:
    """Record fetched files, an archive also as what it unpacks into: a folder or a file of
    its name (`text8.zip` gives `text8`)."""
    for path in dict.fromkeys(paths):
        facts.fetched_paths.append(path)
        if _ARCHIVE.search(path):
            facts.fetched_paths += [_ARCHIVE.sub("", path), _ARCHIVE.sub("", path) + "/*"]


def _script_downloads(source: TextSource, facts: Facts) -> None:
    """The files a shell script's or a Makefile's `wget`/`curl` commands fetch (a
    `download_data.sh`), from the repository root or the script's folder: it may be run from
    either, and a `cd` in the command moves where the rest runs."""
    here = posixpath.dirname(source.path)
    for command in facts.ci_commands:
        for folder, part in command_parts(command.text):
            for _, path in command_downloads([(command.line, part)]):
                if not path.startswith(("/", "~", "$")):
                    _add_fetched(facts, (join_path(folder, path), join_path(here, join_path(folder, path))))


def _shell_script(source: TextSource, facts: Facts) -> None:
    """A shell script's commands, one per logical line: what a CI job runs through it."""
    for line, text in _logical_lines(source.lines):
        if text.strip():
            facts.ci_commands.append(CiCommand(text.strip(), line))
    _script_downloads(source, facts)


#: Keys whose values are shell commands in GitHub Actions, GitLab CI, CircleCI, Travis, Azure,
#: AWS CodeBuild and job manifests (`entrypoint:`).
_CI_COMMAND_KEYS = frozenset(
    {"run", "script", "scripts", "command", "commands", "before_script", "after_script", "bash", "pwsh",
     "powershell", "inlineScript", "install", "before_install", "entrypoint"}
)


def _ci_events(document: yaml.Node, facts: Facts) -> None:
    """GitHub's `on:` events (`push`, `pull_request`, `schedule`, ...) of a workflow."""
    if not isinstance(document, yaml.MappingNode):
        return
    for key, value in document.value:
        if isinstance(key, yaml.ScalarNode) and key.value in ("on", "true", "True"):
            if isinstance(value, yaml.ScalarNode):
                facts.ci_events.append(str(value.value))
            elif isinstance(value, yaml.SequenceNode):
                facts.ci_events += [str(i.value) for i in value.value if isinstance(i, yaml.ScalarNode)]
            elif isinstance(value, yaml.MappingNode):
                facts.ci_events += [str(k.value) for k, _ in value.value if isinstance(k, yaml.ScalarNode)]
_SCHEDULE_KEYS = frozenset({"schedule", "schedules", "cron"})


def _ci_jobs(node: yaml.Node, facts: Facts, seen: set[int], directory: str = "") -> None:
    """The commands (each line, with its line number, in the folder a GitHub step's
    `working-directory` or a `defaults: run: working-directory` above it sets) and the
    schedule trigger of a CI file. `seen` keeps a node that YAML aliases reference many times
    from being walked again."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        directory = _working_directory(node) or directory
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name in _SCHEDULE_KEYS and not facts.ci_schedule:
                facts.ci_schedule = key.start_mark.line + 1
            if name in _CI_COMMAND_KEYS:
                _ci_commands(value, facts, directory)
            if name == "uses" and isinstance(value, yaml.ScalarNode) and value.value.startswith("docker/build-push-action"):
                tags = re.split(r"[\s,]+", _scalar_at(node, "with", "tags") or "")
                facts.built_images += [i.name for i in (image_reference(t, 0) for t in tags if t) if i is not None]
            _ci_jobs(value, facts, seen, directory)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _ci_jobs(item, facts, seen, directory)
    elif isinstance(node, yaml.ScalarNode) and "CI_PIPELINE_SOURCE" in node.value and "schedule" in node.value:
        facts.ci_schedule = facts.ci_schedule or node.start_mark.line + 1  # GitLab `rules: - if:`


def _scalar_at(node: yaml.Node, *keys: str) -> str | None:
    """The scalar under `keys` in nested mappings, or None."""
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _working_directory(node: yaml.MappingNode) -> str | None:
    """The folder a step (`working-directory:`) or the jobs below (`defaults: run:
    working-directory:`) run in, relative to the root; an expression (`${{ ... }}`) says none."""
    folder = _scalar_at(node, "working-directory") or _scalar_at(node, "defaults", "run", "working-directory")
    if not folder or "$" in folder:
        return None
    return folder.strip().removeprefix("./").rstrip("/")


def _ci_commands(node: yaml.Node, facts: Facts, directory: str = "") -> None:
    if isinstance(node, yaml.ScalarNode):
        scalars = [node]
    elif isinstance(node, yaml.SequenceNode):
        scalars = [item for item in node.value if isinstance(item, yaml.ScalarNode)]
    else:
        return
    for scalar in scalars:
        first = scalar.start_mark.line + 1 + (1 if scalar.style in ("|", ">") else 0)
        for offset, text in enumerate(str(scalar.value).splitlines()):
            if text.strip():
                facts.ci_commands.append(CiCommand(text.strip(), first + offset, directory))


def _lock_file(source: TextSource, facts: Facts) -> None:
    name = source.path.rsplit("/", 1)[-1]
    if name.endswith(".lock") and name != "Pipfile.lock":
        names = re.findall(r'^name = "([^"]+)"', source.text, re.M)
    elif name == "Pipfile.lock":
        try:
            document = _table(load_json(source.text))
        except (ValueError, RecursionError):
            return
        names = [n for section in ("default", "develop") for n in _table(document.get(section))]
    else:  # conda-lock.yml
        names = re.findall(r"^\s*-?\s*name:\s*([\w.-]+)", source.text, re.M)
    facts.locked += [canonicalize_name(n) for n in names]


_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def number_repr(value: object) -> str | None:
    """`repr(float(value))` for numbers and numeric strings (YAML 1.1 reads `1e-3` as a
    string), else None; the form code literals are compared in."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return repr(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _yaml_keys(node: yaml.Node, prefix: str, facts: Facts, shared: set[int], walked: set[int], leaves: list) -> None:
    """Keys of a composed YAML document. A mapping or list that aliases reuse (`<<: *base`) is
    walked once, where its anchor is: its keys are one setting each, not one per alias."""
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        if id(node) in walked:
            return
        walked.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                path = f"{prefix}.{key.value}" if prefix else str(key.value)
                scalar = value.value if isinstance(value, yaml.ScalarNode) else None
                # A string, not `null`, `true` or a number (YAML resolves plain scalars to those).
                is_string = isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:str"
                text = scalar if is_string and number_repr(scalar) is None else None
                anchor = id(value) in shared and id(value) not in walked  # `&dim 256`, not `*dim`
                if scalar is not None:
                    walked.add(id(value))
                facts.config_keys.append(
                    ConfigKey(path, str(key.value), key.start_mark.line + 1, number_repr(scalar), text, anchor)
                )
                _yaml_keys(value, path, facts, shared, walked, leaves)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _yaml_keys(item, prefix, facts, shared, walked, leaves)
    elif isinstance(node, yaml.ScalarNode):
        leaves.append(node.value if node.tag == "tag:yaml.org,2002:str" else None)
        if "${" in str(node.value):
            for inner in _INTERPOLATION.findall(str(node.value)):
                facts.names_used.update(_IDENTIFIER.findall(inner))


def _aliased_nodes(root: yaml.Node) -> set[int]:
    """The nodes an alias refers to (`&dim 256` ... `*dim`): reached by more than one edge."""
    edges: Counter[int] = Counter()
    seen, stack = {id(root)}, [root]
    while stack:
        for child in yaml_bounded.children(stack.pop()):
            edges[id(child)] += 1
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return {node for node, count in edges.items() if count > 1}


def _plain_keys(data: object, prefix: str, lines: list[str], facts: Facts, quote: str, leaves: list) -> None:
    """Keys of parsed JSON/TOML, located by searching the text (neither parser gives lines)."""
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            needle = f'"{key}"' if quote else f"{key}"
            text = value if isinstance(value, str) else None
            facts.config_keys.append(ConfigKey(path, str(key), _line_of(lines, needle), number_repr(value), text))
            _plain_keys(value, path, lines, facts, quote, leaves)
    elif isinstance(data, list):
        for item in data:
            _plain_keys(item, prefix, lines, facts, quote, leaves)
    else:
        leaves.append(data if isinstance(data, str) else None)
        if isinstance(data, str) and "${" in data:
            for inner in _INTERPOLATION.findall(data):
                facts.names_used.update(_IDENTIFIER.findall(inner))


#: A value of four words or more: a sentence, not a setting (a name, a path, a number).
_PROSE = re.compile(r"\S+\s+\S+\s+\S+\s+\S")


def _is_text_data(leaves: list) -> bool:
    """Whether a file's values are mostly sentences (prompts, label descriptions, templates):
    text a program consumes as data, whose keys are entries, not settings."""
    prose = sum(1 for leaf in leaves if isinstance(leaf, str) and _PROSE.search(leaf))
    return prose * 2 > len(leaves)


def _config_file(source: TextSource, facts: Facts) -> None:
    """Keys (with lines) of an experiment config; a file that does not parse, or whose values
    are text data rather than settings, has none."""
    leaves: list = []
    try:
        if source.path.endswith((".yaml", ".yml")):
            for document in yaml_bounded.compose_all(source.text):
                _yaml_keys(document, "", facts, _aliased_nodes(document), set(), leaves)
        elif source.path.endswith(".json"):
            _plain_keys(load_json(source.text), "", source.lines, facts, '"', leaves)
        else:
            _plain_keys(tomllib.loads(source.text), "", source.lines, facts, "", leaves)
    except (yaml.YAMLError, ValueError, RecursionError):  # ValueError: JSON, TOML, TOML's long integers
        facts.config_keys.clear()
    if _is_text_data(leaves):
        facts.config_keys.clear()


#: `python [options] -m pkg.train` in a shell command.
_RUN_MODULE = re.compile(r"(?:^|\s)python[\d.]*\s+(?:-[A-Za-z]+\s+)*-m\s+([A-Za-z_][\w.]*)")


def _stage_runs(command: str, folder: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The Python scripts (paths from the repository root) and modules (folder, dotted name) a
    stage's shell command runs from `folder`: `python src/train.py --x`, `python -m pkg.train`,
    `cd sub && python x.py` (a `cd` applies to the commands after it)."""
    scripts: set[str] = set()
    modules: set[tuple[str, str]] = set()
    for here, part in command_parts(command, folder):
        modules.update((here, m) for m in _RUN_MODULE.findall(part))
        scripts.update(join_path(here, s) for s in re.findall(r"([\w./-]+\.py)\b", part))
    return tuple(sorted(scripts)), tuple(sorted(modules))


def _dvc_pipeline(source: TextSource, facts: Facts) -> None:
    try:
        document = yaml_bounded.safe_load(source.text)
    except yaml.YAMLError:
        return
    stages = document.get("stages") if isinstance(document, dict) else None
    if not isinstance(stages, dict):
        return
    for name, stage in stages.items():
        if not isinstance(stage, dict):
            continue
        folder = join_path(posixpath.dirname(source.path), str(stage.get("wdir") or "."))
        command = stage.get("cmd", "")
        command = " && ".join(map(str, command)) if isinstance(command, list) else str(command)
        outs = [join_path(folder, next(iter(o)) if isinstance(o, dict) else str(o)) for o in stage.get("outs") or []]
        deps = [join_path(folder, str(d)) for d in stage.get("deps") or []]
        scripts, modules = _stage_runs(command, folder)
        facts.pipeline_stages.append(
            PipelineStage(str(name), scripts, tuple(deps), tuple(outs), _line_of(source.lines, f"{name}:"), modules)
        )
        facts.versioned_paths += outs


def _dvc_file(source: TextSource, facts: Facts) -> None:
    """A `data.csv.dvc` file versions the `outs` it lists, relative to its folder."""
    try:
        document = yaml_bounded.safe_load(source.text)
    except yaml.YAMLError:
        return
    folder = source.path.rsplit("/", 1)[0] + "/" if "/" in source.path else ""
    outs = document.get("outs") if isinstance(document, dict) else None
    for out in outs if isinstance(outs, list) else []:
        if isinstance(out, dict) and isinstance(out.get("path"), str):
            facts.versioned_paths.append(folder + out["path"])


def _gitattributes(source: TextSource, facts: Facts) -> None:
    """Patterns stored in git-lfs: `*.pt filter=lfs diff=lfs merge=lfs -text`."""
    for line in source.lines:
        parts = line.split()
        if len(parts) >= 2 and not parts[0].startswith("#") and "filter=lfs" in parts[1:]:
            facts.versioned_paths.append(parts[0])


_EXTRACTORS = {
    FileKind.REQUIREMENTS: _requirements_file,
    FileKind.PYPROJECT: _pyproject,
    FileKind.SETUP_CFG: _setup_cfg,
    FileKind.CONDA_ENV: _conda_environment,
    FileKind.DOCKERFILE: _dockerfile,
    FileKind.CI_WORKFLOW: _ci_workflow,
    FileKind.DEPLOYMENT: _yaml_commands,
    FileKind.SHELL: _shell_script,
    FileKind.MAKEFILE: _makefile,
    FileKind.LOCK_FILE: _lock_file,
    FileKind.CONFIG: _config_file,
    FileKind.DVC_PIPELINE: _dvc_pipeline,
    FileKind.DVC_FILE: _dvc_file,
    FileKind.GITATTRIBUTES: _gitattributes,
    FileKind.DOCUMENT: _document,
}


def manifest_facts(source: TextSource) -> Facts:
    facts = Facts()
    extractor = _EXTRACTORS.get(source.kind)
    if extractor is not None:
        extractor(source, facts)
    facts.built_images += [name for command in facts.ci_commands for name in _built_by(command.text)]
    facts.evidence = _text_evidence(source)
    return facts


_DOCKER_BUILD = re.compile(r"\bdocker\s+(?:buildx\s+)?build\b.*?(?:\s-t|\s--tag)[\s=]+['\"]?([^\s'\"]+)")
_DOCKER_TAG = re.compile(r"\bdocker\s+(?:image\s+)?tag\s+\S+\s+['\"]?([^\s'\"]+)")


def _built_by(command: str) -> list[str]:
    """Names of the images a shell command builds (`docker build -t name:tag .`, `docker tag`)."""
    names = [m[1] for pattern in (_DOCKER_BUILD, _DOCKER_TAG) for m in pattern.finditer(command)]
    return [image.name for image in map(lambda n: image_reference(n, 0), names) if image is not None]


def _text_evidence(source: TextSource) -> list[EvidenceSite]:
    """Lines of a CI workflow, deployment manifest or config that ML Test Score detectors match."""
    found = []
    for detector in detectors().values():
        if source.kind in detector.text_kinds:
            found += [
                EvidenceSite(detector.name, number)
                for number, line in enumerate(source.lines, start=1)
                if any(p.search(line) for p in detector.text_patterns)
            ]
    return sorted(found, key=lambda e: (e.line, e.detector))


def requirement_strings(values: Iterable[tuple[str, int]]) -> Facts:
    """Facts of (requirement string, line) pairs, e.g. a setup.py's install_requires."""
    facts = Facts()
    for text, line in values:
        _requirement_facts(facts, pip_requirement(text, line))
    return facts
