"""Exercise 10: one training step.

Reference solution (for teachers; `exercises new` never copies it).
"""


def train_step(model, optimizer, loss_fn, x, y):
    """One optimization step on one batch; returns the batch's loss (before the step) as a float.

    Args:
        model: a Module (e.g. a Sequential) whose parameters the optimizer holds.
        optimizer: an Optimizer (e.g. Adam(model.parameters())).
        loss_fn: called as loss_fn(y_true, y_pred), as Keras losses are; gives a 0-d Tensor.
        x: a batch of inputs (a Tensor); y: its targets (a NumPy array).
    """
    optimizer.zero_grad()  # first: backward adds to .grad, the last step's are there
    y_pred = model(x, training=True)  # training mode: Dropout drops, BatchNorm uses the batch
    loss = loss_fn(y, y_pred)
    loss.backward()
    optimizer.step()
    return loss.item()
