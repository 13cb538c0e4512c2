import re
from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.project import Project
from mldebt.project.demos import DEMO_EXAMPLE, DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid, notebook

_STORE = re.compile(r"^(s3|s3a|gs|gcs|az|abfs|abfss)://", re.IGNORECASE)
#: What pins an object: S3 `versionId`, GCS `generation`, Azure `versionid` or `snapshot`.
_VERSION = re.compile(r"[?&#](versionId|generation|versionid|snapshot)=|#\d+$", re.IGNORECASE)


class UnversionedObjectStoreRead(ProjectRule):
    """Reads an object from S3, GCS or Azure storage by name only, with no version id or generation.

    ## Why it matters
    `pd.read_parquet("s3://bucket/features/latest.parquet")` reads whatever was last written to
    that key. Object stores keep versions only when asked: an S3 `versionId`, a GCS
    `generation` or an Azure `versionid` pins the bytes a model was trained on.

    ## Known limitations
    Only URIs written in the code are seen, and boto3's `download_file(Bucket, Key, ...)` and
    `get_object(Bucket=..., Key=...)` in a module that imports boto3 (other clients have methods
    of those names: AzureML's `run.download_file(name)` copies an output of one finished run).
    Test code is not checked, nor demo code (a notebook nothing runs, a library's examples and
    tutorials that nothing runs): a lesson or a notebook kept for reference reads the sample
    bucket of its day, or the output of a job it launched cells above, and a version id there
    would be noise even as a note (on the panel, all three such findings were judged noise or
    wrong).

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3 (unstable data dependencies)
    - AWS S3 docs, "Retrieving object versions"; Google Cloud Storage docs, "Object versioning"
    """

    id = "MLD305"
    name = "unversioned-object-store-read"
    category = Category.UNVERSIONED_DATA
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    in_tests = False
    in_demos = {DEMO_NOTEBOOK: None, DEMO_EXAMPLE: None}
    INVALID = [
        Invalid("import pandas as pd\ndf = pd.read_parquet('s3://bucket/features/latest.parquet')\n", path="train.py",
                line=2, message="s3://bucket/features/latest.parquet"),
        Invalid("import pandas as pd\ndf = pd.read_csv(f'gs://bucket/{day}/train.csv')\n", path="train.py"),
        Invalid("import boto3\ns3 = boto3.client('s3')\ns3.download_file('ml-data', 'raw/train.csv', 'train.csv')\n",
                path="train.py", line=3, message="s3://ml-data/raw/train.csv"),
        # A notebook a CI job runs is part of the pipeline.
        Invalid(notebook("import pandas as pd\ndf = pd.read_parquet('s3://bucket/features/latest.parquet')\n"),
                path="notebooks/features.ipynb", message="s3://bucket/features/latest.parquet",
                files={".github/workflows/nb.yml": "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "      - run: pytest --nbmake notebooks\n"}),
    ]
    VALID = [
        Valid("import pandas as pd\ndf = pd.read_parquet('s3://bucket/f.parquet?versionId=3HL4kqtJlcpXroDTDmJ')\n", path="train.py"),
        Valid("import pandas as pd\ndf = pd.read_csv('gs://bucket/train.csv#1360887759327000')\n", path="train.py"),
        Valid("import pandas as pd\ndf.to_parquet('s3://bucket/out.parquet')\n", path="train.py"),
        Valid("import pandas as pd\ndf = pd.read_csv('https://example.org/train.csv')\n", path="train.py"),
        # An AzureML run's output file, not an object of a bucket.
        Valid("from azureml.core import Run\nbest_run.download_file('outputs/model.dump', 'model.dump')\n", path="tune.py"),
        # A lesson's notebook that nothing runs.
        Valid(notebook("import pandas as pd\ndf = pd.read_csv('gs://course-data/covtype.csv')\n"), path="lab.ipynb"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        for path, (_, facts) in project.files.items():
            if is_test_path(path):
                continue
            for access in facts.data_access:
                if access.mode == "read" and _STORE.match(access.path) and not _VERSION.search(access.path):
                    yield ProjectFinding(
                        access.line,
                        f"`{access.path}` is read by name only: whatever was last written there",
                        hint="enable bucket versioning and read a pinned version (S3 `versionId`, GCS `generation`), or track the data with DVC",
                        column=access.column,
                        path=path,
                    )
