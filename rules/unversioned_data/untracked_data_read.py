import posixpath
import re
from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.project import Project
from mldebt.project.graph import ArtifactIndex, edge_readings, enclosing_readings, names_no_file, versioned_patterns
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid, notebook

#: Settings files (`config.json`) are configuration, not data.
_CONFIG_FILE = re.compile(r"(^|/)[^/]*(config|settings)[^/]*\.(json|ya?ml|toml|ini|cfg)$")
#: Credentials (`creds.txt`, `secrets.json`, `.env`, `key.pem`, `hf_token`) are kept out of git on
#: purpose: they are no data a model depends on, and versioning them would be the leak.
_SECRET_FILE = re.compile(
    r"(^|/)([^/]*[._-])?(creds?|credentials?|secrets?|token|passwords?|api[_-]?keys?)([._-][^/]*)?$"
    r"|\.(pem|key|p12|pfx)$|(^|/)(\.env(\.[^/]*)?|\.netrc|id_rsa|id_ed25519)$",
    re.IGNORECASE,
)
#: Logs (`logs.log`, `train.log`): a program's record of its own runs, git-ignored on purpose;
#: reading one back (to print it, to pick a metric from it) depends on no data.
_LOG_FILE = re.compile(r"\.log$", re.IGNORECASE)
_READ = "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n"


def _folders(path: str) -> Iterator[str]:
    """The folders `path` lies in, innermost first, the root ("") excluded."""
    folder = posixpath.dirname(path)
    while folder:
        yield folder
        folder = posixpath.dirname(folder)


class UntrackedDataRead(ProjectRule):
    """Reads a local data file that nothing versions: no DVC, no git-lfs, not committed, not produced by the repo.

    ## Why it matters
    `pd.read_csv("data/train.csv")` where `data/` is git-ignored and no `.dvc` file or
    `dvc.yaml` output covers it: the model depends on a file that exists only on someone's
    disk, in some version nobody recorded. Files the repository's own code writes are internal
    artifacts, not inputs, and files committed to git are versioned by git.

    ## The evidence
    A path is reported only when the repository itself shows it to be its own local data kept
    out of version control: under one of its readings a `.gitignore` of the repository ignores
    it (`data/`, `*.parquet`, a lesson's own `.gitignore`), or it lies in a folder the repository
    keeps (one holding committed files, such as `models/ldm/inpainting_big/` with its
    `config.yaml`) other than the reader's own folder or a folder above it. A path nothing
    declares is unexplained, not untracked: a pipeline step reading what another step
    downloads, a Kaggle kernel's input, a file beside a script, a volume a platform mounts.
    Then nothing of the repository may version, produce, fetch or document it (below).

    ## Known limitations
    A script's relative path may be meant from the repository root or from the script's own
    folder: both readings are tried, and a file committed, versioned or written by the
    repository's code (a sibling notebook included) under either reading is not reported.
    Nor is a file committed or versioned under a folder between the two (the project folder
    of a monorepo, which the script runs from: `python eval/generate.py`). A file that a
    Markdown page of its folder or above tells the reader to download (`wget URL` in a code
    block, a link to the file, or to an archive that unpacks into its folder) comes from a
    documented source, as a notebook's own `!wget` does, and is not reported (a notebook's
    markdown cells count as such a page for its folder; a linked archive unpacks into a folder
    or a file of its name: `text8.zip` gives `text8`); so is a file a
    shell script or a Makefile of the repository fetches (`download_data.sh`), or one in the
    folder of a repository a page's download command names (`litgpt download org/model` for
    `checkpoints/org/model/lit_model.pth`).
    A file that downloads or unpacks data itself (a download call, an archive extraction, an
    MLflow `download_artifacts`, a notebook's `!wget` or `!unzip`, or its `%run` of a download
    script of the repository) is taken to read what it
    fetched (`unverified-download` checks the download), and so is a file beneath a folder
    the same module or notebook downloads into (`ml_client.jobs.download(name,
    download_path=".")` then `named-outputs/score/predictions.csv`) under one of the read's
    readings: a fetch from outside, not a hand-over between the project's steps. A write is matched under the name the
    library gives the file (`np.save("x")` writes `x.npy`: `rules/knowledge/data_io.yaml`).
    A notebook's `!wget -O model.h5 URL` (or `!curl -o`) writes that file for the scripts
    beside it. Settings and credentials files (`creds.txt`, `.env`, `*.pem`) and logs
    (`logs.log`) are not data.
    Paths computed at run time stay patterns (`data/*.csv`); a path whose start or whole file
    name is unknown (`os.path.join(root, ...)` with `root` unknown, `folder / meta["data"]`)
    is not reported. URIs, absolute paths
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
        # A notebook whose shell lines install and list, but fetch nothing.
        Invalid('{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                '"source": ["!pip install pandas\\n", "!ls"]}, '
                '{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                '"source": ["import pandas as pd\\n", "df = pd.read_csv(\'data/train.csv\')"]}], '
                '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}', path="explore.ipynb", files={".gitignore": "data/\n"}),
        # Untracked under both readings (repository root and the script's folder).
        Invalid(_READ, path="src/train.py", line=2, message="`data/train.csv`", files={".gitignore": "data/\n"}),
        # Committed in a folder beside the project, not above the script: still untracked.
        Invalid("def load():\n    with open('prompts/system.txt') as f:\n        return f.read()\n",
                path="radar/utils/prompt.py", line=2, message="`prompts/system.txt`",
                files={"other/prompts/system.txt": "You are ...\n", ".gitignore": "/prompts/\n"}),
        # A page that links to another file, or to a web page, documents no download of this one.
        Invalid("import pandas as pd\ndf = pd.read_csv('housing.csv')\n", path="week2/train.py", line=2,
                message="`housing.csv`", files={"week2/README.md": "See https://example.org/datasets/prices.csv and "
                                                "[the page](https://example.org/housing.html).\n", ".gitignore": "*.csv\n"}),
        # A page of a sibling folder documents a download for its own lesson, not this one.
        Invalid(notebook("import tensorflow as tf\nm = tf.keras.models.load_model('dino_dragon.h5')\n"), path="week9/hw/hw.ipynb",
                message="`week9/hw/dino_dragon.h5`", files={
                    ".gitignore": "*.h5\n",
                    "week8/homework.md": "Download the model:\n\nhttps://example.org/releases/download/v1/dino_dragon.h5\n"}),
        # A page that downloads another model says nothing about this checkpoint.
        Invalid("import torch\nsd = torch.load('checkpoints/meta-llama/Llama-3-8B/lit_model.pth')\n",
                path="tutorials/ptl/train.py", line=2, message="lit_model.pth",
                files={"tutorials/ptl/README.md": "```bash\nlitgpt download EleutherAI/pythia-160m\n"
                       "litgpt finetune meta-llama/Llama-3-8B\n```\n", ".gitignore": "checkpoints/\n"}),
        # A download script that fetches other files says nothing about this one.
        Invalid(_READ, path="train.py", line=2, message="`data/train.csv`", files={
            ".gitignore": "data/\n", "download.sh": "wget -P data https://example.org/v2/test.csv\n"}),
        # Data whose name merely contains a secret-like word is still data.
        Invalid("import pandas as pd\ndf = pd.read_csv('data/tokens_per_doc.csv')\n", path="stats.py", line=2,
                message="`data/tokens_per_doc.csv`", files={".gitignore": "data/\n"}),
        # A config value that names a file.
        Invalid("import hydra\nimport torch\n@hydra.main(config_path='conf', config_name='train')\n"
                "def main(cfg):\n    m = torch.load(cfg.model.weights)\n", path="train.py", line=5,
                message="`weights/model.pt`", files={"conf/train.yaml": "model:\n  weights: weights/model.pt\n",
                                                     ".gitignore": "*.pt\n"}),
        # A run's output downloaded under another name says nothing about this file.
        Invalid("import pandas as pd\nbest_run.download_file('outputs/scores.csv', 'scores.csv')\n"
                "df = pd.read_csv('data/train.csv')\n", path="forecast.py", line=3, message="`data/train.csv`",
                files={".gitignore": "data/\n"}),
        # A URL handed to a download is where it reads from: the file it writes is not named.
        Invalid("import pandas as pd\nclient.download('https://example.org/v1/train.csv')\ndf = pd.read_csv('train.csv')\n",
                path="fetch.py", line=3, message="`train.csv`", files={".gitignore": "*.csv\n"}),
        # A download into another folder says nothing about a read outside it.
        Invalid(notebook("ml_client.jobs.download(name=job.name, download_path='batch', output_name='score')\n"
                         "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n"),
                path="heart/score.ipynb", message="`heart/data/train.csv`", files={".gitignore": "data/\n"}),
        # Another module's download into the folder the script runs from fetches nothing for this one.
        Invalid(_READ, path="train.py", line=2, message="`data/train.csv`", files={
            ".gitignore": "data/\n", "score.py": "ml_client.jobs.download(name=job.name, download_path='.')\n"}),
        # `np.save("x")` writes `x.npy`, not the `x.npz` read here.
        Invalid("import numpy as np\nnp.save('arrays', x)\ny = np.load('arrays.npz')\n", path="prep.py", line=3,
                message="`arrays.npz`", files={".gitignore": "*.np[yz]\n"}),
        # A nested `.gitignore` keeps the lesson's data folder out of git.
        Invalid(notebook("import pandas as pd\ndf = pd.read_parquet('data/green_tripdata_2021-01.parquet')\n"),
                path="01-intro/duration.ipynb", message="`01-intro/data/green_tripdata_2021-01.parquet`",
                files={"01-intro/.gitignore": "data/\n"}),
        # A folder the repository keeps (its model config is committed) without the checkpoint.
        Invalid("import torch\nsd = torch.load('models/ldm/inpainting_big/last.ckpt')\n", path="scripts/inpaint.py", line=2,
                message="`models/ldm/inpainting_big/last.ckpt`", files={"models/ldm/inpainting_big/config.yaml": "model: {}\n"}),
    ]
    VALID = [
        # Nothing says the file is the project's own unversioned data: no `.gitignore` keeps it
        # out of git, no folder of the repository holds it (a pipeline step reading what
        # another step downloads, a Kaggle kernel's input, a file the platform mounts).
        Valid(_READ, path="components/train/train.py"),
        Valid("import pandas as pd\ndf = pd.read_csv('train.csv')\n", path="titanic/preprocess.py",
              files={"titanic/requirements.txt": "pandas==2.2.2\n"}),
        # A notebook's markdown cell links the archive to unpack into its data folder.
        Valid('{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["Load the [text8 dataset]'
              '(https://example.org/2018/text8.zip) and extract it in `data`.\\n"]}, '
              '{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
              '"source": ["text = open(\'data/text8\').read()"]}], '
              '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}', path="word2vec/skip_grams.ipynb",
              files={"word2vec/data/download_data.txt": "Extract text8.zip here.\n"}),
        Valid(_READ, path="train.py", files={"data/train.csv.dvc": "outs:\n- md5: 1\n  path: train.csv\n"}),
        Valid(_READ, path="train.py", files={"dvc.yaml": "stages:\n  prep:\n    cmd: python prep.py\n    outs: [data/train.csv]\n"}),
        Valid(_READ, path="train.py", files={".gitattributes": "*.csv filter=lfs diff=lfs merge=lfs -text\n"}),
        Valid(_READ, path="train.py", files={"data/train.csv": "a,b\n1,2\n"}),
        # The notebook runs the repository's download script into the folder it reads.
        Valid(notebook("%run ./squad-dataset/download-dataset.py --download_dir ./squad-dataset\n"
                       "import pandas as pd\ndf = pd.read_json('./squad-dataset/train.jsonl', lines=True)\n"),
              path="qa/extractive-qa.ipynb", files={"qa/squad-dataset/download-dataset.py": "print('fetch')\n"}),
        # A job's outputs downloaded into a folder (`output_name=` names the output, not a place).
        Valid("import pandas as pd\nml_client.jobs.download(name=job.name, download_path='batch', output_name='score')\n"
              "df = pd.read_csv('batch/named-outputs/score/predictions.csv')\n", path="score.py", files={".gitignore": "batch/\n"}),
        # A job's outputs downloaded into the folder the notebook or script runs from (which
        # `_record` leaves out: no write, no hand-over), then read beneath it.
        Valid(notebook("ml_client.jobs.download(name=job.name, download_path='.', output_name='score')\n"
                       "import pandas as pd\ndf = pd.read_csv('named-outputs/score/predictions.csv')\n"),
              path="batch/heart/score.ipynb", files={".gitignore": "named-outputs/\n"}),
        Valid("import pandas as pd\nhere = '.'\nrun.download_files(prefix='outputs', output_directory=here)\n"
              "df = pd.read_csv('outputs/predictions.csv')\n", path="jobs/forecast.py", files={".gitignore": "outputs/\n"}),
        # The notebook fetches its own data.
        Valid('{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
              '"source": ["!wget -q https://example.org/data.zip\\n", "!unzip -q data.zip -d data"]}, '
              '{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
              '"source": ["import pandas as pd\\n", "df = pd.read_csv(\'data/train.csv\')"]}], '
              '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}', path="explore.ipynb", files={".gitignore": "data/\n"}),
        Valid("import pandas as pd\nimport urllib.request\nurllib.request.urlretrieve(URL, 'data.zip')\n"
              "import zipfile\nzipfile.ZipFile('data.zip').extractall('data')\ndf = pd.read_csv('data/train.csv')\n",
              path="prepare.py", files={".gitignore": "data/\n"}),
        # Committed in the project folder the script runs from (`python -m utils.prompt`).
        Valid("def load():\n    with open('prompts/system.txt') as f:\n        return f.read()\n",
              path="radar/utils/prompt.py", files={"radar/prompts/system.txt": "You are ...\n"}),
        Valid("import json\ndata = json.load(open(f'./eval/eval_data/{args.name}.json'))\n",
              path="apps/chat/eval/generate.py", files={"apps/chat/eval/eval_data/robust.json": "[]\n"}),
        # The homework page beside the notebook says where to download the data.
        Valid('{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
              '"source": ["import pandas as pd\\n", "df = pd.read_csv(\'housing.csv\')"]}], '
              '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}', path="week2/homework.ipynb",
              files={"week2/homework.md": "## Dataset\n\n```bash\nwget https://example.org/datasets/housing.csv\n```\n"}),
        Valid("import tensorflow as tf\nmodel = tf.keras.models.load_model('clothing-model.keras')\n",
              path="workshop/convert/convert.py",
              files={"workshop/README.md": "Get the model from [the release](https://example.org/v1/clothing-model.keras).\n"}),
        Valid(notebook("import tensorflow as tf\nm = tf.keras.models.load_model('dino_dragon.h5')\n"), path="week9/hw/hw.ipynb",
              files={"week9/homework.md": "Download the model:\n\nhttps://example.org/releases/download/v1/dino_dragon.h5\n"}),
        Valid("import pandas as pd\ndf = pd.read_csv('data_folder/raw/regions.txt')\n", path="tutorial/explore.py",
              files={"tutorial/README.md": "    wget https://example.org/kdd/data_folder.zip\n    unzip data_folder.zip\n"}),
        # The example's README downloads the checkpoint with the project's own CLI.
        Valid("import torch\nsd = torch.load('checkpoints/meta-llama/Llama-3-8B/lit_model.pth')\n",
              path="tutorials/ptl/train.py",
              files={"tutorials/ptl/README.md": "```bash\nlitgpt download meta-llama/Llama-3-8B --access_token hf_...\n```\n"}),
        # The repository's download script fetches it.
        Valid(_READ, path="src/train.py", files={
            ".gitignore": "data/\n",
            "scripts/get_data.sh": "#!/bin/bash\nmkdir -p data\ncd data && wget -q https://example.org/v2/train.csv\n"}),
        # Committed beside the script that reads it: the script runs from its own folder.
        Valid("import joblib\nmodel = joblib.load('model.joblib')\n", path="serving/app.py",
              files={"serving/model.joblib": "binary", "serving/Dockerfile": "FROM python:3.11\nCOPY . .\n"}),
        # A sibling notebook writes what the script reads (notebooks resolve from their folder).
        Valid(_READ, path="project/train.py", files={
            ".gitignore": "data/\n",
            "project/prepare.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
            '"source": ["df.to_csv(\'data/train.csv\')"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}),
        Valid(_READ, path="train.py", files={"prep.py": "df.to_csv('data/train.csv')\n", ".gitignore": "data/\n"}),
        # A sibling notebook downloads the model the script converts.
        Valid("import tensorflow as tf\nmodel = tf.keras.models.load_model('clothing-model.h5')\n", path="lesson/convert.py",
              files={"lesson/model.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                     '"execution_count": null, "source": ["!wget https://example.org/v1/clothing-model.h5 -O clothing-model.h5"]}], '
                     '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}),
        # A file name computed at run time names no file in particular.
        Valid("import pandas as pd\nfrom pathlib import Path\nfolder = Path('lessons')\ndf = pd.read_csv(folder / meta['data'])\n",
              path="pages.py"),
        Valid("import pandas as pd\ndf = pd.read_csv(args.data)\n", path="train.py"),
        Valid("import pandas as pd\ndf = pd.read_csv(os.path.join(root, 'x.csv'))\n", path="train.py"),
        Valid(_READ, path="tests/test_train.py", files={".gitignore": "data/\n"}),
        Valid("import json\ncfg = json.load(open('config.json'))\n", path="eval.py", files={".gitignore": "config.json\n"}),
        # A config value left `null` names no file.
        Valid("import hydra\nimport torch\n@hydra.main(config_path='conf', config_name='train')\n"
              "def main(cfg):\n    m = torch.load(cfg.model.weights)\n", path="train.py",
              files={"conf/train.yaml": "model:\n  weights: null\n"}),
        # A config value of several words is text (a prompt), not a file.
        Valid("import hydra\nimport os\n@hydra.main(config_path='conf', config_name='bot')\ndef main(cfg):\n"
              "    if os.path.isfile(cfg.llm.prompt):\n        prompt = open(cfg.llm.prompt).read()\n", path="bot.py",
              files={"conf/bot.yaml": "llm:\n  prompt: You are a helpful agent. Greet the user warmly.\n"}),
        # The notebook fetches the artifacts of a tracked run first.
        Valid("import pickle\nclient.download_artifacts(run_id=run_id, path='preprocessor', dst_path='.')\n"
              "with open('preprocessor/preprocessor.b', 'rb') as f:\n    dv = pickle.load(f)\n", path="registry.py",
              files={".gitignore": "preprocessor/\n"}),
        # The code downloads the file it reads, into the path it names (Azure ML's run outputs,
        # a dataset or model downloaded into a folder, a download helper's destination keyword).
        Valid("import pandas as pd\nbest_run.download_file('outputs/predictions.csv', 'predictions.csv')\n"
              "df = pd.read_csv('predictions.csv')\n", path="forecast.py", files={".gitignore": "*.csv\n"}),
        Valid("import numpy as np\nrun.download_file(name='outputs/x_test.npy', output_file_path='x_test.npy')\n"
              "x = np.load('x_test.npy')\n", path="explain.py"),
        Valid("import pandas as pd\nexplanations.download('training_explanations')\n"
              "df = pd.read_csv('training_explanations/features.csv')\n", path="explain.py"),
        Valid("import pandas as pd\nfetch_dataset('adult', target_dir='data/adult')\n"
              "df = pd.read_csv('data/adult/adult.csv')\n", path="prepare.py"),
        # Credentials are kept out of git on purpose.
        Valid("import json\ncreds = json.load(open('creds.txt'))\n", path="deploy/parse_json.py"),
        Valid("token = open('secrets/hf_token').read()\ncert = open('certs/server.pem').read()\n", path="serve.py"),
        # A log the library's logger writes in the working folder, read back to print it.
        Valid("def system_logs():\n    with open('logs.log') as f:\n        print(f.read())\n", path="lib/utils.py",
              files={".gitignore": "*.log\n"}),
        Valid("env = open('.env.local').read()\n", path="app.py"),
        Valid("import matplotlib.pyplot as plt\nimport PIL\nplt.savefig('square.png')\nimg = PIL.Image.open('square.png')\n",
              path="plots.py", files={".gitignore": "*.png\n"}),
        Valid("import matplotlib.pyplot as plt\nfrom PIL import Image\nfilename = 'mask.png'\n"
              "plt.imsave(filename, mask)\nimg = Image.open(filename)\n", path="segment.py", files={".gitignore": "*.png\n"}),
        # Files the script itself saves, under the name the library gives them.
        Valid("import numpy as np\nnp.save('features', x)\nnp.savez('arrays', a=x)\n"
              "x = np.load('features.npy')\ny = np.load('arrays.npz')\n", path="prep.py", files={".gitignore": "*.np?\n"}),
        Valid("import tensorflow as tf\nmodel.save('model.keras')\n"
              "cb = tf.keras.callbacks.ModelCheckpoint('best.keras')\n"
              "m = tf.keras.models.load_model('model.keras')\nb = tf.keras.models.load_model('best.keras')\n", path="fit.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        graph = project.graph
        written = ArtifactIndex(
            r for u, v, d in graph.edges(data=True) if d["relation"] == "writes" for r in edge_readings(v, d)
        )
        present = ArtifactIndex(project.present)
        documented = ArtifactIndex(p for _, (_, facts) in project.files.items() for p in facts.fetched_paths)
        documented_in: dict[str, set[str]] = {}  # file name -> folders of the pages that document it
        repositories: dict[str, set[str]] = {}  # `org/name` -> folders of the pages that download it
        for page, (_, facts) in project.files.items():
            for path in facts.fetched_paths:
                documented_in.setdefault(posixpath.basename(path), set()).add(posixpath.dirname(page))
            for repository in facts.fetched_repositories:
                repositories.setdefault(repository, set()).add(posixpath.dirname(page))

        def documented_above(code: str, meant: tuple[str, ...]) -> bool:
            """A page of the reader's folder or above documents a download of that file name,
            or of the repository the file's folder is named after."""
            folder = posixpath.dirname(code)
            pages = {page for path in meant for page in documented_in.get(posixpath.basename(path), ())}
            parts = [p.split("/") for p in meant]
            pages.update(page for path in parts for i in range(len(path) - 2)
                         for page in repositories.get(f"{path[i]}/{path[i + 1]}", ()))
            return any(page == "" or folder == page or folder.startswith(page + "/") for page in pages)
        versioned = versioned_patterns(project)

        def tracked(path: str) -> bool:
            return (
                path.startswith(("*", "/", "~", ".."))
                or bool(_CONFIG_FILE.search(path) or _SECRET_FILE.search(path) or _LOG_FILE.search(path))
                or versioned.covers(path) or present.matches(path) or written.matches(path) or documented.matches(path)
            )

        def downloaded_into(code: str, meant: tuple[str, ...]) -> bool:
            """The reader's own download calls write into a folder the file lies beneath."""
            return any(not folder or path == folder or path.startswith(folder + "/")
                       for folder in project.files[code][1].download_folders for path in meant)

        kept = {folder for path in project.present for folder in _folders(path)}

        def kept_away(code: str, path: str) -> bool:
            """The repository keeps files out of git where `path` lies: a `.gitignore` ignores
            it, or it is in a folder the repository keeps (one with committed files, such as a
            `models/ldm/` of configs) other than the reader's own folder or one above it."""
            folder, here = posixpath.dirname(path), posixpath.dirname(code)
            return project.git_ignores.covers(path) or (
                folder in kept and "*" not in folder and folder != here and not here.startswith(folder + "/"))

        for artifact, consumer, edge in graph.edges(data=True):
            if edge["relation"] != "reads" or "line" not in edge or not artifact.startswith("artifact:"):
                continue
            code = consumer.split(":", 1)[1]
            # A reading under which the file is committed, versioned or produced means the
            # script may well be run that way: only a path untracked under every reading is reported.
            meant = edge_readings(artifact, edge)
            if is_test_path(code) or project.files[code][1].fetches_data or downloaded_into(code, meant) or graph.nodes[artifact].get("versioned") or any(
                tracked(p) or names_no_file(p) for p in meant
            ) or documented_above(code, meant) or any(
                present.matches(p) or versioned.covers(p) or documented.matches(p) for p in enclosing_readings(code, meant)
            ) or not any(kept_away(code, p) for p in meant):
                continue
            path = artifact.split(":", 1)[1]
            yield ProjectFinding(
                edge["line"],
                f"`{path}` is read here, but no DVC file, git-lfs pattern or commit versions it",
                hint="track it with DVC (`dvc add`) or git-lfs, or produce it in a declared pipeline stage",
                path=code,
            )
