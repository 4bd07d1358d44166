from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0004_room_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="roomquestion",
            name="step",
            field=models.PositiveIntegerField(default=1),
        ),
    ]
