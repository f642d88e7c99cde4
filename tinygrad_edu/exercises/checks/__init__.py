"""Every exercise's checks; importing this package registers them with the grader.

One module per exercise, named like the student's file. Each check is a
function of the student's module, decorated with `grader.check(exercise,
name, hint)`: it returns when the property holds and raises `grader.Failure`
(or lets the student's exception through) when it does not.
"""

# noqa: F401 throughout: importing a module registers its checks.
from tinygrad_edu.exercises.checks import (  # noqa: F401
    ex01_add_mul,
    ex02_elementwise,
    ex03_matmul,
    ex04_sum_mean,
    ex05_backward,
    ex06_max,
    ex07_softmax,
    ex08_dense,
    ex09_optimizers,
    ex10_train_step,
    ex11_conv2d,
    ex12_max_pool,
    ex13_batchnorm,
    ex14_dropout,
    ex15_lstm,
)
