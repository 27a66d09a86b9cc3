"""A tiny Triton Python-backend model: iris by petal length (a rule, not a trained model).

setosa (0) below 2.5 cm, versicolor (1) below 4.9 cm, virginica (2) above.
"""
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            features = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            petal = features[:, 2]
            classes = np.where(petal < 2.5, 0, np.where(petal < 4.9, 1, 2)).astype(np.int32).reshape(-1, 1)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT0", classes)]))
        return responses
