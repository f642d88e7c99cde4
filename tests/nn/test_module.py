"""Module: registration by attribute assignment, names, modes, and calling."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn.module import snake_case


def parameter(*shape: int, name: str | None = None) -> Tensor:
    return Tensor(np.ones(shape, dtype=np.float32), requires_grad=True, name=name)


class TwoLayers(nn.Module):
    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)
        self.hidden = nn.Dense(4, input_shape=(3,))
        self.out = nn.Dense(2, input_shape=(4,))

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.hidden(x).relu())


def test_parameters_are_registered_by_attribute_assignment_in_order() -> None:
    module = nn.Module()
    module.weight = parameter(2, 2)
    module.constant = Tensor(np.ones(2))  # no requires_grad: not a parameter
    module.scale = parameter(1)
    assert module.parameters() == [module.weight, module.scale]
    assert [name for name, _ in module.named_parameters()] == ["weight", "scale"]


def test_reassigning_or_deleting_an_attribute_unregisters_it() -> None:
    module = nn.Module()
    module.weight = parameter(2)
    module.weight = None
    assert module.parameters() == []
    module.child = nn.Dense(2, input_shape=(2,))
    del module.child
    assert module.parameters() == [] and module.children() == []


def test_named_parameters_follow_attribute_paths() -> None:
    model = TwoLayers()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["hidden.kernel", "hidden.bias", "out.kernel", "out.bias"]
    assert [p.shape for p in model.parameters()] == [(3, 4), (4,), (4, 2), (2,)]


def test_lists_of_modules_are_registered_including_later_appends() -> None:
    model = nn.Module()
    model.blocks = [nn.Dense(2, input_shape=(2,))]
    model.blocks.append(nn.Dense(3, input_shape=(2,)))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["blocks.0.kernel", "blocks.0.bias", "blocks.1.kernel", "blocks.1.bias"]


def test_a_shared_parameter_or_module_is_listed_once() -> None:
    shared = nn.Dense(2, input_shape=(2,))
    model = nn.Module()
    model.first = shared
    model.second = shared
    model.again = shared.kernel
    assert len(model.parameters()) == 2
    assert len(model.modules()) == 2  # the model and the shared layer


def test_zero_grad_sets_every_gradient_to_none() -> None:
    model = TwoLayers()
    model(Tensor(np.ones((5, 3), dtype=np.float32))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_train_and_eval_set_the_mode_everywhere_and_return_the_module() -> None:
    model = TwoLayers()
    assert not model.training and not model.hidden.training  # inference mode, as Keras
    assert model.train() is model
    assert model.training and model.hidden.training
    assert model.eval() is model
    assert not model.training and not model.hidden.training and not model.out.training
    assert model.train() is model
    assert model.out.training


def current_scope() -> tuple[str, ...]:
    """The name scope a node recorded now is stamped with."""
    return (Tensor([1.0], requires_grad=True) * 1).grad_fn.scope


def test_calling_runs_forward_inside_the_module_name_scope() -> None:
    model = TwoLayers(name="net")
    y = model(Tensor(np.ones((1, 3), dtype=np.float32)))
    # the last op is the out layer's bias add, recorded inside net -> out
    assert y.grad_fn.scope == ("net", "dense")


def test_the_scope_is_restored_when_forward_raises() -> None:
    class Broken(nn.Module):
        def forward(self, x: Tensor) -> Tensor:
            raise ArithmeticError("inside")

    model = TwoLayers(name="net")
    with pytest.raises(ArithmeticError, match="inside"):
        Broken(name="broken")(Tensor(np.ones((1, 3), dtype=np.float32)))
    assert current_scope() == ()
    with pytest.raises(ValueError, match="last axis has size 3"):  # a Layer's own call
        model.hidden(Tensor(np.ones((1, 5), dtype=np.float32)))
    assert current_scope() == ()
    y = model(Tensor(np.ones((1, 3), dtype=np.float32)))
    assert y.grad_fn.scope == ("net", "dense")  # and scopes still nest afterwards


def test_default_names_come_from_the_class_and_can_be_given() -> None:
    assert TwoLayers().name == "two_layers"
    assert TwoLayers().name_is_default
    named = TwoLayers(name="mine")
    assert named.name == "mine" and not named.name_is_default
    assert nn.Dense(3, name="out").kernel is None
    assert nn.Dense(3, name="out").name == "out"


@pytest.mark.parametrize(
    "class_name, expected",
    [
        ("Dense", "dense"),
        ("MyModel", "my_model"),
        ("MLP", "mlp"),
        ("MyMLPNet", "my_mlp_net"),
        ("Conv2D", "conv2d"),  # Keras's names for its conv layers
        ("MaxPooling2D", "max_pooling2d"),
        ("GlobalAveragePooling2D", "global_average_pooling2d"),
        ("BatchNormalization", "batch_normalization"),
    ],
)
def test_snake_case(class_name: str, expected: str) -> None:
    assert snake_case(class_name) == expected


def test_renaming_a_layer_renames_its_parameters() -> None:
    layer = nn.Dense(2, input_shape=(3,))
    assert layer.kernel.name == "dense.kernel"
    layer.name = "dense_7"
    assert layer.kernel.name == "dense_7.kernel" and layer.bias.name == "dense_7.bias"
    assert not layer.name_is_default


def test_a_name_must_be_a_non_empty_string() -> None:
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        nn.Dense(2, name="")


def test_forgetting_super_init_gives_a_clear_error() -> None:
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.layer = nn.Dense(2)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first"):
        Broken()


def test_a_module_without_forward_says_so() -> None:
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(Tensor([1.0]))


def test_children_and_repr() -> None:
    model = TwoLayers()
    assert model.children() == [model.hidden, model.out]
    text = repr(model)
    assert "TwoLayers(name='two_layers')" in text
    assert "(hidden): Dense(name='dense', units=4, activation='linear')" in text
