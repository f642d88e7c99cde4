"""`tinygrad-edu exercises ...`: hand out the stubs, grade a folder, write notebooks.

    tinygrad-edu exercises list
    tinygrad-edu exercises new DIR
    tinygrad-edu exercises grade DIR [EXERCISE ...] [--json] [--examples N]
    tinygrad-edu exercises notebooks DIR
    tinygrad-edu exercises train DIR [--dataset mnist] [--epochs N]

`grade` exits with 0 only when every graded exercise passed in full (1
otherwise), so a script or CI job can use it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The `exercises` command line."""
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu exercises",
        description="Exercises with an autograder: write the engine, get it graded.",
    )
    commands = parser.add_subparsers(
        dest="action", required=True, metavar="{list,new,grade,notebooks,train}"
    )
    commands.add_parser("list", help="list the exercises in course order")
    new = commands.add_parser("new", help="copy the stubs into a working folder")
    new.add_argument("folder")
    new.add_argument("--overwrite", action="store_true", help="replace files already there")
    grade = commands.add_parser("grade", help="grade the files in a folder")
    grade.add_argument("folder")
    grade.add_argument("exercises", nargs="*", help="numbers or names (default: all)")
    grade.add_argument("--json", action="store_true", help="print the report as JSON")
    grade.add_argument(
        "--examples", type=int, default=None, help="hypothesis examples per property (default 60)"
    )
    notebooks = commands.add_parser("notebooks", help="write each exercise as a notebook")
    notebooks.add_argument("folder")
    train = commands.add_parser(
        "train", help="train an MLP with the student's ops, walk, Dense, Adam and train_step"
    )
    train.add_argument("folder")
    train.add_argument("--dataset", choices=("digits", "mnist"), default="digits")
    train.add_argument("--epochs", type=int, default=3)
    train.add_argument("--data-dir", default=None, help="folder holding mnist/ (MNIST only)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `tinygrad-edu exercises ...`; returns the exit status."""
    from tinygrad_edu import exercises
    from tinygrad_edu.exercises.notebooks import write_notebooks

    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.action == "list":
        for exercise in exercises.EXERCISES:
            number, name, file = exercise.number, exercise.name, exercise.filename
            print(f"{number:2d}  {name:<12} {file:<22} {exercise.title}")
        return 0
    if args.action == "new":
        written = exercises.new(args.folder, overwrite=args.overwrite)
        print(f"wrote {len(written)} stub(s) to {args.folder}; grade them with:")
        print(f"  tinygrad-edu exercises grade {args.folder}")
        return 0
    if args.action == "notebooks":
        written = write_notebooks(args.folder)
        print(f"wrote {len(written)} notebook(s) to {args.folder}")
        return 0
    if args.action == "train":
        return train(args)
    try:
        report = exercises.grade(args.folder, args.exercises or None, examples=args.examples)
    except (KeyError, FileNotFoundError) as error:
        message = str(error.args[0]).removeprefix("exercises grade: ")
        print(f"tinygrad-edu exercises grade: {message}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), indent=2) if args.json else report)
    return 0 if report.passed else 1


def train(args: argparse.Namespace) -> int:
    """Train the capstone MLP with the student's code; print each epoch's loss and the accuracy."""
    from tinygrad_edu.__main__ import load_dataset
    from tinygrad_edu.exercises.capstone import train_mlp

    (x_train, y_train), (x_test, y_test) = load_dataset(args.dataset, args.data_dir)
    small = args.dataset == "digits"  # 1,500 images of 8x8: a smaller, faster model
    losses, accuracy = train_mlp(
        args.folder,
        x_train,
        y_train,
        x_test,
        y_test,
        epochs=args.epochs,
        batch_size=32 if small else 64,
        hidden=32 if small else 128,
        learning_rate=0.01 if small else 0.001,
    )
    for epoch, loss in enumerate(losses, start=1):
        print(f"epoch {epoch}: loss {loss:.4f}")
    print(f"test accuracy with your engine: {accuracy:.4f}")
    return 0
