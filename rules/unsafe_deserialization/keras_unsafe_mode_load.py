import libcst as cst

from mldebt.knowledge import report_guarded_call
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity


class KerasUnsafeModeLoad(PythonRule):
    """Loads a Keras model with `safe_mode=False`.

    ## Why it matters
    Keras refuses to deserialize `Lambda` layers' bytecode by default; `safe_mode=False` turns
    that protection off, so a model file can carry code that runs on load.

    ## Known limitations
    Legacy HDF5 loading in old Keras versions has no safe mode at all and is not reported.

    ## References
    - Keras docs, `keras.saving.load_model` (safe_mode); CVE-2024-3660, CWE-502
    """

    id = "MLD405"
    name = "keras-unsafe-mode-load"
    category = Category.UNSAFE_DESERIALIZATION
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    in_tests = False
    INVALID = [
        Invalid("import tensorflow as tf\nm = tf.keras.models.load_model('m.keras', safe_mode=False)\n", line=2),
        Invalid("from tensorflow import keras\nm = keras.models.load_model(p, safe_mode=False)\n"),
        Invalid("import keras\nm = keras.saving.load_model(p, safe_mode=False)\n"),
    ]
    VALID = [
        "import tensorflow as tf\nm = tf.keras.models.load_model('m.keras')\n",
        "import keras\nm = keras.saving.load_model(p, safe_mode=True)\n",
        "import keras\nm = keras.saving.load_model(p, custom_objects={'Block': Block})\n",
    ]

    def visit_Call(self, node: cst.Call) -> None:
        report_guarded_call(self, node, "deserialization")
