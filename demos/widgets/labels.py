"""Real labels against shuffled ones (post 1): learning a rule versus memorising.

Two copies of the same small network, with the same starting weights, train
side by side on the handwritten digits: one on the real labels, one on the same
labels shuffled, so that no rule links a picture to its label. Both reach high
accuracy on the training digits in the end, the second only by memorising them;
only the first does better than chance (10 %) on digits it has not seen.
"""

from demos import datasets
from demos.checks import whole_number
from demos.nn import Network, Trainer, make_optimizer
from demos.widgets.options import SEED, Widget

# How both networks train; the post's figure uses the same.
ACTIVATION = "tanh"
OPTIMIZER = "adam"
LEARNING_RATE = 0.01
BATCH_SIZE = 32
MAX_BATCHES_PER_CALL = 500
N_CLASSES = 10  # the ten digits: guessing gets one in ten right


class LabelsModel:
    """Two ``[64, hidden, 10]`` networks on the digits (pixels / 16), one with real,
    one with shuffled training labels, trained for at most ``epochs`` epochs.
    ``seed`` draws the shared starting weights, the shuffle and the batch order. The defaults
    are those of post 1's figure (its recipe takes them from here): long enough for the
    shuffled labels to be memorised."""

    METHODS = ("step", "reset")
    RUNS = ("real", "shuffled")

    def __init__(self, epochs=250, hidden=64, seed=0):
        self.epochs, self.hidden = whole_number(epochs, "epochs", 1), whole_number(hidden, "hidden", 1)
        self.seed = int(seed)
        X_train, X_test, y_train, y_test = datasets.digits_split()
        self.X_train, self.X_test = X_train / datasets.PIXEL_MAX, X_test / datasets.PIXEL_MAX
        self.y_test = y_test
        self.labels = {"real": y_train, "shuffled": datasets.shuffle_labels(y_train, seed=self.seed)}
        self.reset()

    def describe(self):
        return {
            "epochs": self.epochs,
            "hidden": self.hidden,
            "n_train": len(self.X_train),
            "n_test": len(self.X_test),
            "batches_per_epoch": self.batches_per_epoch,
            "n_classes": N_CLASSES,
            **self._current(),
        }

    def reset(self):
        """Both networks back to the same starting weights. Returns the accuracies at epoch 0."""
        self.networks, self.trainers = {}, {}
        for run in self.RUNS:
            network = Network([64, self.hidden, N_CLASSES], [ACTIVATION, "softmax"], seed=self.seed)
            self.networks[run] = network
            self.trainers[run] = Trainer(network, self.X_train, datasets.one_hot(self.labels[run], N_CLASSES),
                                         "categorical_cross_entropy", make_optimizer(OPTIMIZER, LEARNING_RATE),
                                         batch_size=BATCH_SIZE, seed=self.seed)
        return self._current()

    @property
    def batches_per_epoch(self):
        return -(-len(self.X_train) // BATCH_SIZE)  # the last batch may be short

    @property
    def epoch(self):
        return self.trainers["real"].epoch

    def step(self, batches=1):
        """Train both networks ``batches`` more mini-batches (stopping after ``self.epochs``
        epochs). An epoch of the digits takes a few dozen batches, more than one
        animation frame should hold, so the widget asks for a few at a time.

        Returns the epoch reached, how far into the next one (0 to 1), whether
        training is done, and for each run lists with one entry per epoch completed
        during this call: the mean training loss, and the accuracy on the training
        digits (against that run's labels) and on the test digits (the real labels).
        """
        batches = whole_number(batches, "batches", 1, MAX_BATCHES_PER_CALL)
        answer = {run: {"loss": [], "train_accuracy": [], "test_accuracy": []} for run in self.RUNS}
        for _ in range(batches):
            if self.epoch >= self.epochs:
                break
            for run in self.RUNS:
                trainer = self.trainers[run]
                epoch = trainer.epoch
                trainer.step()
                if trainer.epoch > epoch:
                    answer[run]["loss"].append(trainer.history[-1])
                    for key, value in self._accuracies(run).items():
                        answer[run][key].append(value)
        trainer = self.trainers["real"]
        answer["epoch"] = self.epoch
        answer["progress"] = (trainer.steps - trainer.epoch * self.batches_per_epoch) / self.batches_per_epoch
        answer["done"] = self.epoch >= self.epochs
        return answer

    def _accuracies(self, run):
        network = self.networks[run]
        return {"train_accuracy": network.accuracy(self.X_train, self.labels[run]),
                "test_accuracy": network.accuracy(self.X_test, self.y_test)}

    def _current(self):
        """The accuracies as they are now, in the shape ``step()`` answers with."""
        answer = {"epoch": self.epoch, "progress": 0.0, "done": self.epoch >= self.epochs}
        for run in self.RUNS:
            answer[run] = {"loss": [], **{k: [v] for k, v in self._accuracies(run).items()}}
        return answer


WIDGET = Widget(LabelsModel, post=1, options={
    "epochs": {"number": [1, 200], "whole": True, "help": "passes over the data in each training run"},
    "hidden": {"number": [4, 128], "whole": True, "help": "neurons in the hidden layer"},
    "seed": SEED,
}, alt="Two training curves: the network learns real labels and, more slowly, memorises random ones.",
   keeps_figure=True)
