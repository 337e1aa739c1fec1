"""A validated object from a model, then the same request streamed as the object forms.

python examples/structured_output.py [provider:model]
"""

import asyncio
import sys

from pydantic import BaseModel

import reverie

# CI runs this program against a scripted model:
# test: script=book


class Author(BaseModel):
    name: str
    nationality: str


class Book(BaseModel):
    title: str
    author: Author
    genres: list[str]
    published_year: int


async def main(model: str) -> None:
    book = await reverie.generate_object(model, Book, prompt="The Lord of the Rings")
    print(f"{book.title} ({book.published_year}) by {book.author.name}")

    stream = reverie.stream_object(model, Book, prompt="The Lord of the Rings")
    async for partial in stream.partial_objects():
        print("so far:", partial)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "openai:gpt-4o-mini"))
