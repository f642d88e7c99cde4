"""Exercise 10: one training step.

Every training loop, Keras's `fit` included, repeats five lines per batch:

1. zero the gradients: `backward` *adds* to `.grad`, so last step's must go first;
2. forward: the model's predictions, in training mode (`model(x, training=True)`,
   so Dropout drops and BatchNormalization uses the batch's statistics);
3. the loss, called as Keras losses are: `loss_fn(y_true, y_pred)`;
4. backward: the gradient of the loss for every parameter;
5. step: the optimizer moves the parameters.

Return the loss as a Python float (`loss.item()`): a Tensor would keep the
whole graph alive in whatever list the caller keeps losses in.

Grade it: tinygrad-edu exercises grade . train_step
"""


def train_step(model, optimizer, loss_fn, x, y):
    """One optimization step on one batch; returns the batch's loss (before the step) as a float.

    Args:
        model: a Module (e.g. a Sequential) whose parameters the optimizer holds.
        optimizer: an Optimizer (e.g. Adam(model.parameters())).
        loss_fn: called as loss_fn(y_true, y_pred), as Keras losses are; gives a 0-d Tensor.
        x: a batch of inputs (a Tensor); y: its targets (a NumPy array).
    """
    # TODO: the five lines.
    raise NotImplementedError("exercise 10: write train_step")
